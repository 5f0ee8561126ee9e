import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { compareLabelEfficiency, fractionLabel, labelEfficiency, type LabelEfficiencyProgress } from '../../src/eval/label-efficiency.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertNoLeakAsync, randn, useBackend } from '../support/tensors.js';
import { gaussianClusters, randomLabels } from './synthetic.js';

before(() => useBackend());

const train = gaussianClusters(4, 100, 8, 3, 31, 32);
const test_ = gaussianClusters(4, 30, 8, 3, 31, 33);
const fast = { linear: { l2Grid: [1e-3, 1e-1], maxIterations: 50 } };

test('fractionLabel', () => {
  assert.deepEqual([0.01, 0.1, 1, 0.005, 0.25, 1 / 3].map(fractionLabel), ['1%', '10%', '100%', '0.5%', '25%', '33.3333%']);
});

test('accuracies per fraction for both probes; separated clusters score high even at 1%', async () => {
  const seen: LabelEfficiencyProgress[] = [];
  const r = await labelEfficiency({
    train: { features: { data: train.data, dim: 8 }, labels: train.labels },
    test: { features: { data: test_.data, dim: 8 }, labels: test_.labels },
    ...fast,
    subsets: 2,
    onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(Object.keys(r.linear), ['1%', '10%', '100%']);
  assert.deepEqual(Object.keys(r.knn), ['1%', '10%', '100%']);
  for (const v of [...Object.values(r.linear), ...Object.values(r.knn)]) assert.ok(v >= 0.9 && v <= 1, `accuracy ${v}`);
  // 1% of 100 per class rounds to 1 row per class: 4 rows; 10%: 40 rows.
  assert.deepEqual(
    seen.filter((p) => p.accuracy === undefined).map((p) => `${p.probe} ${p.fraction} ${p.trainRows} ${p.draw ?? '-'}`),
    [
      'linear 1% 4 0',
      'knn 1% 4 0',
      'linear 1% 4 1',
      'knn 1% 4 1',
      'linear 10% 40 0',
      'knn 10% 40 0',
      'linear 10% 40 1',
      'knn 10% 40 1',
    ].concat(['linear 100% 400 -', 'knn 100% 400 -']),
  );
  assert.deepEqual(Object.keys(r.spread!.linear), ['1%', '10%'], 'a spread below 100% only');
});

test('subsets: each fraction below 100% is the mean over draws with seeds seed, seed + 1, ...; spread is their std', async () => {
  const noise = { data: randn(400 * 8, 15), dim: 8 };
  const base = {
    train: { features: noise, labels: randomLabels(400, 4, 16) },
    test: { features: { data: randn(120 * 8, 17), dim: 8 }, labels: randomLabels(120, 4, 18) },
    fractions: [0.1, 1],
    ...fast,
  };
  const single = await Promise.all([3, 4, 5].map((seed) => labelEfficiency({ ...base, seed, subsets: 1 })));
  const knn = single.map((r) => r.knn['10%']!);
  assert.ok(new Set(knn).size > 1, `different draws give different accuracies: ${knn.join(', ')}`);
  const three = await labelEfficiency({ ...base, seed: 3, subsets: 3 });
  const mean = knn.reduce((a, v) => a + v, 0) / 3;
  assert.ok(Math.abs(three.knn['10%']! - mean) < 1e-12, `${three.knn['10%']} vs ${mean}`);
  const std = Math.sqrt(knn.reduce((a, v) => a + (v - mean) ** 2, 0) / 3);
  assert.ok(Math.abs(three.spread!.knn['10%']! - std) < 1e-12);
  assert.equal(three.knn['100%'], single[0]!.knn['100%'], '100% has one draw: all labels');
  assert.equal(single[0]!.spread, undefined, 'no spread with one draw');
  await assert.rejects(labelEfficiency({ ...base, subsets: 0 }), /labelEfficiency.*subsets.*integer >= 1, got 0/);
});

test('deterministic under the seed; random features stay near chance', async () => {
  const noise = { data: randn(400 * 8, 5), dim: 8 };
  const opts = {
    train: { features: noise, labels: randomLabels(400, 4, 6) },
    test: { features: { data: randn(120 * 8, 7), dim: 8 }, labels: randomLabels(120, 4, 8) },
    fractions: [0.1, 1],
    seed: 3,
    ...fast,
  };
  const a = await labelEfficiency(opts);
  assert.deepEqual(a, await labelEfficiency(opts));
  for (const v of [...Object.values(a.linear), ...Object.values(a.knn)]) assert.ok(v < 0.45, `accuracy ${v} should be near 0.25`);
});

test('compareLabelEfficiency runs every feature set on the same labels; no leaks', async () => {
  const trainT = tf.tensor2d(train.data, [400, 8]);
  const testT = tf.tensor2d(test_.data, [120, 8]);
  await assertNoLeakAsync(async () => {
    const r = await compareLabelEfficiency({
      labels: { train: train.labels, test: test_.labels },
      featureSets: {
        trained: { train: trainT, test: testT },
        random: { train: { data: randn(400 * 3, 9), dim: 3 }, test: { data: randn(120 * 3, 10), dim: 3 } },
      },
      fractions: [0.1],
      ...fast,
    });
    assert.deepEqual(Object.keys(r), ['trained', 'random']);
    assert.ok(r.trained!.linear['10%']! > r.random!.linear['10%']!);
    assert.ok(r.trained!.knn['10%']! > r.random!.knn['10%']!);
  }, 'compareLabelEfficiency');
  tf.dispose([trainT, testT]);
});

test('typed errors', async () => {
  const f = { data: train.data, dim: 8 };
  const base = { train: { features: f, labels: train.labels }, test: { features: f, labels: train.labels } };
  await assert.rejects(
    labelEfficiency({ ...base, fractions: [0] }),
    (e: unknown) => e instanceof ConfigError && /`fractions\[0\]` must be in \(0, 1\], got 0/.test(e.message),
  );
  await assert.rejects(labelEfficiency({ ...base, fractions: [] }), ConfigError);
  await assert.rejects(
    labelEfficiency({ ...base, test: { features: { data: new Float32Array(6), dim: 3 }, labels: Int32Array.from([0, 1]) } }),
    (e: unknown) => e instanceof ShapeError && /`test.features` must have 8 columns/.test(e.message),
  );
  await assert.rejects(
    compareLabelEfficiency({ labels: { train: train.labels, test: Int32Array.from([0]) }, featureSets: { pixels: { train: f, test: f } } }),
    (e: unknown) => e instanceof ShapeError && /`labels.test` must have length 400/.test(e.message),
  );
  await assert.rejects(compareLabelEfficiency({ labels: { train: train.labels, test: train.labels }, featureSets: {} }), ConfigError);
});

test('a feature set with an embedding: both probes read the features, knnEmbedding is kNN on the embedding (same labelled rows)', async () => {
  const noise = { train: { data: randn(400 * 3, 11), dim: 3 }, test: { data: randn(120 * 3, 12), dim: 3 } };
  const clusters = { train: { data: train.data, dim: 8 }, test: { data: test_.data, dim: 8 } };
  const r = await compareLabelEfficiency({
    labels: { train: train.labels, test: test_.labels },
    featureSets: {
      // noise as the representation, the clusters as the embedding, and the other way round
      noiseThenClusters: { ...noise, embedding: clusters },
      clustersThenNoise: { ...clusters, embedding: noise },
      clusters,
    },
    fractions: [0.1, 1],
    subsets: 2,
    ...fast,
  });
  const a = r.noiseThenClusters!,
    b = r.clustersThenNoise!,
    c = r.clusters!;
  assert.equal(c.knnEmbedding, undefined, 'without an embedding there is no knnEmbedding');
  for (const f of ['10%', '100%']) {
    assert.equal(a.knnEmbedding![f], c.knn[f], `${f}: kNN on the embedding is kNN on those features, on the same rows`);
    assert.equal(b.knnEmbedding![f], a.knn[f], `${f}: and the other way round`);
    assert.equal(b.linear[f], c.linear[f], `${f}: the probes on the features ignore the embedding`);
    assert.equal(b.knn[f], c.knn[f], `${f}: the probes on the features ignore the embedding`);
    assert.ok(a.linear[f]! < 0.5 && a.knn[f]! < 0.5, `${f}: noise stays near chance (linear ${a.linear[f]}, kNN ${a.knn[f]})`);
  }
  await assert.rejects(
    compareLabelEfficiency({
      labels: { train: train.labels, test: test_.labels },
      featureSets: { x: { ...clusters, embedding: { train: clusters.train, test: { data: new Float32Array(12), dim: 3 } } } },
    }),
    (e: unknown) => e instanceof ShapeError && /featureSets\.x\.embedding\.test/.test(e.message),
  );
});
