/** Tensor-side helpers of the loss tests: gradients as plain arrays, checked against finite differences. */
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { assertClose } from '../support/tensors.js';
import { finiteDiff, type Mat } from './reference.js';

/** tf.grads of `f` w.r.t. every input, as nested arrays; leaks nothing. */
export function gradsOf(f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[]): number[][] {
  const before = tf.memory().numTensors;
  const grads = tf.grads(f)(inputs);
  const out = grads.map((g) => Array.from(g.dataSync()));
  tf.dispose(grads);
  assert.equal(tf.memory().numTensors, before, 'tf.grads leaked tensors');
  for (const g of out) for (const v of g) assert.ok(Number.isFinite(v), `gradient has a non-finite entry ${v}`);
  return out;
}

/**
 * Compares tf.grads of `lossTf` (float32) with float64 central differences of `lossRef` for
 * every input matrix: |tf - fd| <= atol + rtol |fd|.
 */
export function checkGradients(
  lossTf: (...xs: tf.Tensor2D[]) => tf.Scalar,
  lossRef: (...xs: Mat[]) => number,
  mats: Mat[],
  rtol = 2e-3,
  atol = 2e-4,
): void {
  const tensors = mats.map((m) => tf.tensor2d(m));
  const grads = gradsOf(lossTf as (...xs: tf.Tensor[]) => tf.Scalar, tensors);
  tf.dispose(tensors);
  mats.forEach((m, k) => {
    const fd = finiteDiff((x) => lossRef(...mats.map((other, j) => (j === k ? x : other))), m);
    assertClose(grads[k]!, fd.flat(), rtol, atol, `gradient of input ${k}`);
  });
}

/** A scalar tensor's value; disposes it. */
export function value(t: tf.Scalar): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}
