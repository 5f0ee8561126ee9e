import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { knnAccuracy, knnClassifier } from '../../src/eval/knn.js';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { assertNoLeakAsync, randn, useBackend } from '../support/tensors.js';
import { gaussianClusters, randomLabels } from './synthetic.js';

before(() => useBackend());

/** The NPID vote written as plainly as possible: all similarities, sort, sum exp(s/σ) per class. */
function naiveKnn(
  train: Float32Array,
  labels: Int32Array,
  test: Float32Array,
  dim: number,
  k: number,
  sigma: number,
  classes: number,
): Int32Array {
  const unit = (x: Float32Array, i: number) => {
    const row = Array.from(x.subarray(i * dim, i * dim + dim));
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  };
  const n = train.length / dim;
  const trainRows = Array.from({ length: n }, (_, i) => unit(train, i));
  const out = new Int32Array(test.length / dim);
  for (let q = 0; q < out.length; q++) {
    const u = unit(test, q);
    const sims = trainRows.map((r, i) => ({ s: r.reduce((acc, v, j) => acc + v * u[j]!, 0), i }));
    sims.sort((a, b) => b.s - a.s);
    const votes = new Array<number>(classes).fill(0);
    for (const { s, i } of sims.slice(0, k)) votes[labels[i]!]! += Math.exp(s / sigma);
    out[q] = votes.indexOf(Math.max(...votes));
  }
  return out;
}

test('predictions equal a naive loop (several k, σ, chunk sizes; JS and backend selection)', async () => {
  const dim = 6;
  const train = randn(80 * dim, 1);
  const labels = randomLabels(80, 4, 2);
  const query = randn(30 * dim, 3);
  for (const selection of ['js', 'backend'] as const) {
    for (const [k, temperature, maxChunkValues] of [
      [5, 0.1, 80 * 7],
      [20, 0.5, 1],
      [200, 0.07, 2 ** 23],
    ] as const) {
      const knn = knnClassifier({ data: train, dim }, labels, { k, temperature, maxChunkValues, numClasses: 4, selection });
      const got = await knn.predict({ data: query, dim });
      knn.dispose();
      assert.deepEqual(
        Array.from(got),
        Array.from(naiveKnn(train, labels, query, dim, Math.min(k, 80), temperature, 4)),
        `${selection} k=${k} σ=${temperature}`,
      );
    }
  }
});

test('tensor and array inputs give the same predictions; k is clipped to the train size', async () => {
  const { data, labels, dim } = gaussianClusters(3, 10, 4, 1, 5);
  const x = tf.tensor2d(data, [30, dim]);
  const knn = knnClassifier(x, labels, { k: 1000 });
  assert.equal(knn.k, 30);
  assert.equal(knn.numClasses, 3);
  const a = await knn.predict(x);
  const b = await knn.predict({ data, dim });
  knn.dispose();
  x.dispose();
  assert.deepEqual(a, b);
});

test('separated clusters: ~100%; random labels: ~chance', async () => {
  const train = gaussianClusters(5, 100, 16, 4, 7, 8);
  const test = gaussianClusters(5, 40, 16, 4, 7, 9);
  const acc = await knnAccuracy({ data: train.data, dim: 16 }, train.labels, { data: test.data, dim: 16 }, test.labels);
  assert.ok(acc >= 0.99, `separated accuracy ${acc}`);
  const noise = await knnAccuracy(
    { data: train.data, dim: 16 },
    randomLabels(500, 5, 1),
    { data: test.data, dim: 16 },
    randomLabels(200, 5, 2),
  );
  assert.ok(noise > 0.1 && noise < 0.32, `random-label accuracy ${noise} should be near 0.2`);
});

test('leaks no tensors (fit, predict, dispose; and on a thrown error)', async () => {
  const { data, labels, dim } = gaussianClusters(3, 20, 5, 2, 1);
  const x = tf.tensor2d(data, [60, dim]);
  await assertNoLeakAsync(async () => {
    await knnAccuracy(x, labels, x, labels, { k: 10, maxChunkValues: 100 });
    await knnAccuracy({ data, dim }, labels, { data, dim }, labels);
    await assert.rejects(knnAccuracy(x, labels, x, labels, { k: 0 }), ConfigError);
  }, 'knnAccuracy');
  x.dispose();
});

test('typed errors name the argument', async () => {
  const x = { data: new Float32Array(12), dim: 3 }; // 4 rows
  const y = Int32Array.from([0, 1, 0, 1]);
  await assert.rejects(
    knnAccuracy(x, y, { data: new Float32Array(8), dim: 2 }, y),
    (e: unknown) => e instanceof ShapeError && /`testFeatures` must have 3 columns/.test(e.message),
  );
  await assert.rejects(
    knnAccuracy(x, Int32Array.from([0, 1]), x, y),
    (e: unknown) => e instanceof ShapeError && /`trainLabels` must have length 4/.test(e.message),
  );
  await assert.rejects(
    knnAccuracy(x, y, x, y, { numClasses: 1 }),
    (e: unknown) => e instanceof DataError && /class ids in \[0, 0\], got 1/.test(e.message),
  );
  await assert.rejects(knnAccuracy(x, Int32Array.from([0, -2, 0, 1]), x, y), DataError);
  await assert.rejects(
    knnAccuracy(x, y, x, y, { k: 0 }),
    (e: unknown) => e instanceof ConfigError && /`k` must be an integer >= 1, got 0/.test(e.message),
  );
  await assert.rejects(knnAccuracy(x, y, x, y, { temperature: -1 }), ConfigError);
  await assert.rejects(
    knnAccuracy(x, y, x, y, null as never),
    (e: unknown) => e instanceof ConfigError && /knnAccuracy: `options` must be an object, got null/.test(e.message),
  );
  await assert.rejects(
    knnAccuracy(x, y, x, y, { selection: 'gpu' as never }),
    (e: unknown) => e instanceof ConfigError && /`selection` must be one of 'auto', 'backend', 'js', got 'gpu'/.test(e.message),
  );
  assert.throws(() => knnClassifier({ data: new Float32Array(5), dim: 3 }, y), ShapeError);
  const t3 = tf.zeros([2, 2, 2]);
  assert.throws(() => knnClassifier(t3 as tf.Tensor2D, y), ShapeError);
  t3.dispose();
  const knn = knnClassifier(x, y);
  knn.dispose();
  await assert.rejects(knn.predict(x), ConfigError);
});
