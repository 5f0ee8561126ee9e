import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { batchedScores } from '../../src/ops/batched-scores.js';
import { useBackend, randn, assertClose } from '../support/tensors.js';

before(() => useBackend());

test('batchedScores: a b^T per batch entry, with the gradients of tf.matMul(a, b, false, true); leak-free', () => {
  const a = tf.tensor3d(randn(3 * 4 * 5, 1), [3, 4, 5]);
  const b = tf.tensor3d(randn(3 * 6 * 5, 2), [3, 6, 5]);
  const w = tf.tensor3d(randn(3 * 4 * 6, 3), [3, 4, 6]); // a weighting, so that each score's gradient differs
  const before = tf.memory().numTensors;
  const mine = tf.tidy(() => batchedScores(a, b));
  assert.deepEqual(mine.shape, [3, 4, 6]);
  const ref = tf.tidy(() => tf.matMul(a, b, false, true));
  assertClose(mine.dataSync(), ref.dataSync(), 1e-5, 1e-6, 'scores');
  const loss = (f: (p: tf.Tensor3D, q: tf.Tensor3D) => tf.Tensor) => (p: tf.Tensor, q: tf.Tensor) =>
    tf.sum(tf.mul(tf.square(f(p as tf.Tensor3D, q as tf.Tensor3D)), w));
  const gm = tf.grads(loss(batchedScores))([a, b]);
  const gr = tf.grads(loss((p, q) => tf.matMul(p, q, false, true)))([a, b]);
  assertClose(gm[0]!.dataSync(), gr[0]!.dataSync(), 1e-4, 1e-5, 'gradient wrt a');
  assertClose(gm[1]!.dataSync(), gr[1]!.dataSync(), 1e-4, 1e-5, 'gradient wrt b');
  tf.dispose([mine, ref, ...gm, ...gr]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([a, b, w]);
});
