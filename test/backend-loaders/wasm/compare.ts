/** Runs the same computation on cpu (the reference) and on wasm, and compares values and gradients. */
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { assertClose, randn } from '../../support/tensors.js';

export interface Case {
  /** Input shapes; inputs are seeded standard-normal values. */
  shapes: number[][];
  /** The computation; `tf.grads` differentiates sum(f(...) * w) for a fixed random w. */
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Values to override (e.g. zeros to create ties). */
  values?: (Float32Array | undefined)[];
  seed?: number;
}

interface Result {
  value: Float32Array;
  grads: Float32Array[];
}

function run(c: Case): Result {
  return tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.tensor(c.values?.[i] ?? randn(tf.util.sizeFromShape(s), (c.seed ?? 1) * 31 + i), s));
    const y = c.f(...xs);
    const w = tf.tensor(randn(y.size, 999), y.shape);
    const g = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ins), w)))(xs);
    return { value: y.dataSync() as Float32Array, grads: g.map((t) => t.dataSync() as Float32Array) };
  });
}

/** Asserts wasm matches cpu on the case's value and every input gradient; leaves wasm active. */
export async function compareWithCpu(c: Case, what: string, rtol = 2e-4, atol = 2e-4): Promise<void> {
  await tf.setBackend('cpu');
  const ref = run(c);
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  const got = run(c);
  if (tf.memory().numTensors !== before) throw new Error(`${what}: leaked ${tf.memory().numTensors - before} tensors on wasm`);
  assertClose(got.value, ref.value, rtol, atol, `${what} value`);
  got.grads.forEach((g, i) => assertClose(g, ref.grads[i]!, rtol, atol, `${what} grad ${i}`));
}
