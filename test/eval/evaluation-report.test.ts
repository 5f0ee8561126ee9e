import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { buildEvaluationReport, evaluateRepresentation } from '../../src/eval/evaluation-report.js';
import { KNN_PAPER_PROTOCOL, KNN_PROTOCOL } from '../../src/eval/knn-protocol.js';
import { ConfigError } from '../../src/errors.js';
import { assertNoLeakAsync, randn, useBackend } from '../support/tensors.js';
import { gaussianClusters } from './synthetic.js';

before(() => useBackend());

test('buildEvaluationReport: the CLI JSON shape, in order, checked', () => {
  const trained = {
    linear: { '1%': 0.7, '100%': 0.9 },
    knn: { '1%': 0.6, '100%': 0.85 },
    knn200: { '100%': 0.84 },
    spread: { linear: { '1%': 0.02 }, knn: { '1%': 0.03 } },
  };
  const r = buildEvaluationReport({
    trained,
    kmeans: { nmi: 0.5, ari: 0.4 },
    alignmentUniformity: { alignment: 0.3, uniformity: -3 },
    baselines: { pixels: trained },
    labelSubsets: 3,
  });
  assert.deepEqual(Object.keys(r), [
    'linear',
    'knn',
    'knn200',
    'spread',
    'labelSubsets',
    'knnProtocol',
    'kmeans',
    'alignment',
    'uniformity',
    'baselines',
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), {
    linear: { '1%': 0.7, '100%': 0.9 },
    knn: { '1%': 0.6, '100%': 0.85 },
    knn200: { '100%': 0.84 },
    spread: { linear: { '1%': 0.02 }, knn: { '1%': 0.03 } },
    labelSubsets: 3,
    knnProtocol: {
      k: 20,
      temperature: 0.07,
      source: KNN_PROTOCOL.source,
      paper: { k: 200, temperature: 0.1, source: KNN_PAPER_PROTOCOL.source, minLabelledRows: 5000 },
    },
    kmeans: { nmi: 0.5, ari: 0.4 },
    alignment: 0.3,
    uniformity: -3,
    baselines: {
      pixels: {
        linear: { '1%': 0.7, '100%': 0.9 },
        knn: { '1%': 0.6, '100%': 0.85 },
        knn200: { '100%': 0.84 },
        spread: { linear: { '1%': 0.02 }, knn: { '1%': 0.03 } },
      },
    },
  });
  const bare = buildEvaluationReport({ trained: { linear: trained.linear, knn: trained.knn }, kmeans: { nmi: 0, ari: 0 } });
  assert.equal(bare.alignment, null);
  assert.equal('knn200' in bare, false, 'no knn200 key when no fraction had enough labelled rows');
  assert.deepEqual(bare.baselines, {});
  assert.equal(bare.labelSubsets, 5, 'the default number of labelled subsets');
  assert.equal('spread' in bare, false);
  assert.throws(
    () => buildEvaluationReport({ trained: { linear: { '1%': 70 }, knn: {} }, kmeans: { nmi: 0, ari: 0 } }),
    (e: unknown) => e instanceof ConfigError && /`trained.linear.1%` must be an accuracy in \[0, 1\], got 70/.test(e.message),
  );
  assert.throws(() => buildEvaluationReport({ trained, kmeans: undefined as never }), ConfigError);
});

test('evaluateRepresentation: trained clusters beat a random baseline; clusters found; no leaks', async () => {
  const train = gaussianClusters(3, 40, 6, 4, 41, 42);
  const test_ = gaussianClusters(3, 20, 6, 4, 41, 43);
  const trainT = tf.tensor2d(train.data, [120, 6]);
  const testT = tf.tensor2d(test_.data, [60, 6]);
  let report;
  await assertNoLeakAsync(async () => {
    report = await evaluateRepresentation({
      labels: { train: train.labels, test: test_.labels },
      trained: { train: trainT, test: testT },
      baselines: { random: { train: { data: randn(120 * 6, 1), dim: 6 }, test: { data: randn(60 * 6, 2), dim: 6 } } },
      positivePairs: { x: testT, y: testT },
      fractions: [0.1, 1],
      linear: { l2Grid: [1e-3, 1e-1], maxIterations: 40 },
    });
  }, 'evaluateRepresentation');
  tf.dispose([trainT, testT]);
  const r = report!;
  assert.ok(r.linear['10%']! >= 0.95 && r.knn['100%']! >= 0.95, JSON.stringify(r));
  assert.ok(r.baselines.random!.linear['100%']! < 0.7);
  assert.ok(r.kmeans.nmi > 0.9 && r.kmeans.ari > 0.9, JSON.stringify(r.kmeans));
  assert.equal(r.alignment, 0);
  assert.ok(r.uniformity !== null && r.uniformity < 0);
  await assert.rejects(
    evaluateRepresentation({
      labels: { train: train.labels, test: test_.labels },
      trained: { train: trainT, test: testT },
      baselines: { trained: { train: trainT, test: testT } },
    }),
    ConfigError,
  );
});
