import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { kmeans } from '../../src/eval/kmeans.js';
import { ari, nmi } from '../../src/eval/metrics.js';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeakAsync, useBackend } from '../support/tensors.js';
import { gaussianClusters } from './synthetic.js';

before(() => useBackend());

test('recovers well-separated clusters exactly (ARI = NMI = 1)', async () => {
  const { data, labels, dim } = gaussianClusters(6, 50, 8, 8, 21);
  const r = await kmeans({ data, dim }, { k: 6, seed: 1 });
  assert.equal(ari(r.assignments, labels), 1);
  assert.equal(nmi(r.assignments, labels), 1);
  assert.equal(r.centroids.length, 6 * dim);
});

test('centroids are cluster means and inertia is the sum of squared distances', async () => {
  const data = Float32Array.from([0, 0, 0, 2, 10, 10, 10, 12]); // two obvious pairs in 2-D
  const r = await kmeans({ data, dim: 2 }, { k: 2, seed: 3 });
  const a = r.assignments;
  assert.equal(a[0], a[1]);
  assert.equal(a[2], a[3]);
  assert.notEqual(a[0], a[2]);
  assertClose(r.centroids.subarray(a[0]! * 2, a[0]! * 2 + 2), [0, 1]);
  assertClose(r.centroids.subarray(a[2]! * 2, a[2]! * 2 + 2), [10, 11]);
  assertClose(r.inertia, 4); // each point is 1 from its centre
});

test('deterministic under the seed; tensor and array inputs agree', async () => {
  const { data, dim } = gaussianClusters(4, 30, 5, 1, 2); // overlapping: the seed matters
  const x = tf.tensor2d(data, [120, dim]);
  const a = await kmeans(x, { k: 4, seed: 9, restarts: 2 });
  const b = await kmeans({ data, dim }, { k: 4, seed: 9, restarts: 2 });
  x.dispose();
  assert.deepEqual(a.assignments, b.assignments);
  assertClose(a.inertia, b.inertia, 1e-6);
});

test('more restarts never give a higher inertia; k = N and duplicates work', async () => {
  const { data, dim } = gaussianClusters(5, 20, 4, 0.5, 4);
  const one = await kmeans({ data, dim }, { k: 5, seed: 2, restarts: 1 });
  const five = await kmeans({ data, dim }, { k: 5, seed: 2, restarts: 5 });
  assert.ok(five.inertia <= one.inertia + 1e-9);
  const all = await kmeans({ data: Float32Array.from([1, 2, 3]), dim: 1 }, { k: 3 });
  assert.deepEqual(Array.from(all.assignments).sort(), [0, 1, 2]);
  assertClose(all.inertia, 0);
  const dup = await kmeans({ data: new Float32Array(10).fill(2), dim: 2 }, { k: 3 }); // 5 identical rows
  assert.ok(Number.isFinite(dup.inertia) && dup.inertia === 0);
});

test('leaks no tensors', async () => {
  const { data, dim } = gaussianClusters(3, 20, 4, 3, 5);
  const x = tf.tensor2d(data, [60, dim]);
  await assertNoLeakAsync(async () => {
    await kmeans(x, { k: 3 });
    await kmeans({ data, dim }, { k: 3, iterations: 1 });
    await assert.rejects(kmeans(x, { k: 0 }), ConfigError);
  }, 'kmeans');
  x.dispose();
});

test('typed errors: k <= 0, k > N, bad features, NaN values', async () => {
  const x = { data: new Float32Array(8), dim: 2 };
  await assert.rejects(
    kmeans(x, { k: 0 }),
    (e: unknown) => e instanceof ConfigError && /kmeans: `k` must be an integer >= 1, got 0/.test(e.message),
  );
  await assert.rejects(
    kmeans(x, { k: 5 }),
    (e: unknown) => e instanceof ConfigError && /`k` must be <= the number of rows 4, got 5/.test(e.message),
  );
  await assert.rejects(kmeans(x, { k: 2, restarts: 0 }), ConfigError);
  await assert.rejects(kmeans({ data: new Float32Array(3), dim: 2 }, { k: 1 }), ShapeError);
  await assert.rejects(kmeans({ data: Float32Array.from([0, NaN]), dim: 1 }, { k: 1 }), DataError);
  await assert.rejects(kmeans(x, undefined as never), ConfigError);
});
