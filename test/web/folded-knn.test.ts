/** The page's neighbour quality (web/folded-knn.ts): every labelled row a query once, against the rows of the other folds. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { foldedKnnAccuracy } from '../../web/folded-knn.js';
import { knnAccuracy } from '../../src/eval/knn.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

/** n rows of dim 4 in `classes` tight clusters (class c near axis c), rows sorted by class. */
function clusters(n: number, classes: number): { values: Float32Array; labels: Int32Array } {
  const noise = randn(n * 4, 7);
  const labels = Int32Array.from({ length: n }, (_, i) => Math.floor((i * classes) / n));
  const values = Float32Array.from({ length: n * 4 }, (_, j) => (j % 4 === labels[Math.floor(j / 4)] ? 1 : 0) + 0.05 * noise[j]!);
  return { values, labels };
}

test('foldedKnnAccuracy: separable classes sorted by class give 1 (folds interleave: every class is in every memory)', async () => {
  const { values, labels } = clusters(40, 4);
  const before = tf.memory().numTensors;
  assert.equal(await foldedKnnAccuracy(values, 4, labels, { k: 3 }), 1);
  assert.equal(tf.memory().numTensors, before);
});

test('foldedKnnAccuracy: the share of rows right over the folds, each fold scored by knnAccuracy on the others', async () => {
  const n = 30;
  const values = Float32Array.from(randn(n * 5, 3));
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
  let right = 0;
  for (let f = 0; f < 3; f++) {
    const test = [...Array(n).keys()].filter((i) => i % 3 === f);
    const train = [...Array(n).keys()].filter((i) => i % 3 !== f);
    const rows = (idx: number[]): Float32Array => Float32Array.from(idx.flatMap((r) => Array.from(values.subarray(r * 5, r * 5 + 5))));
    const acc = await knnAccuracy(
      { data: rows(train), dim: 5 },
      Int32Array.from(train, (r) => labels[r]!),
      { data: rows(test), dim: 5 },
      Int32Array.from(test, (r) => labels[r]!),
      { k: 4, numClasses: 3 },
    );
    right += Math.round(acc * test.length);
  }
  assert.equal(await foldedKnnAccuracy(values, 5, labels, { folds: 3, k: 4 }), right / n);
});

test('foldedKnnAccuracy: bad sizes and fold counts are typed errors', async () => {
  const labels = Int32Array.from([0, 1, 0, 1]);
  await assert.rejects(foldedKnnAccuracy(new Float32Array(7), 2, labels), ShapeError);
  await assert.rejects(foldedKnnAccuracy(new Float32Array(8), 2, labels, { folds: 1 }), ConfigError);
  await assert.rejects(foldedKnnAccuracy(new Float32Array(8), 2, labels, { folds: 5 }), ConfigError);
});
