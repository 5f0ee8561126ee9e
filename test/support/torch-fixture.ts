/**
 * PyTorch reference fixtures of the losses (test/fixtures/losses/*.json, written by the make_torch_*.py
 * scripts beside them): each case's inputs, loss value and gradients, and the check that the
 * library's loss reproduces them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '../../src/tf.js';
import { assertClose } from './tensors.js';

export type Nested = number | Nested[];

export interface TorchCase {
  loss: string;
  name: string;
  options: Record<string, number | string | boolean>;
  inputs: Record<string, Nested>;
  value: number;
  grads: Record<string, Nested>;
}

/** The cases of test/fixtures/losses/<file>. */
export function readTorchFixture(file: string): TorchCase[] {
  return (JSON.parse(readFileSync(new URL(`../fixtures/losses/${file}`, import.meta.url), 'utf8')) as { cases: TorchCase[] }).cases;
}

const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/**
 * Asserts that `loss` (a function of the case's inputs, in the fixture's key order) gives the
 * case's value and gradients (rtol 2e-3 per entry; entries near zero get an absolute floor of 1e-4
 * of the largest entry) and leaks no tensor.
 */
export function assertMatchesTorch(c: TorchCase, loss: (...xs: tf.Tensor[]) => tf.Scalar): void {
  const names = Object.keys(c.inputs);
  const inputs = names.map((k) => tf.tensor(c.inputs[k] as number[]));
  const before = tf.memory().numTensors;
  const { value, grads } = tf.valueAndGrads(loss)(inputs);
  const got = value.dataSync()[0]!;
  const gotGrads = grads.map((g) => g.dataSync());
  tf.dispose([value, ...grads]);
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
  tf.dispose(inputs);
  assertClose(got, c.value, 2e-3, 1e-6, `${c.loss} value`);
  names.forEach((k, i) => {
    const expected = flat(c.grads[k]!);
    const scale = Math.max(...expected.map(Math.abs));
    assertClose(gotGrads[i]!, expected, 2e-3, 1e-4 * scale + 1e-7, `${c.loss} d/d${k}`);
  });
}
