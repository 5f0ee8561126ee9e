/**
 * Shared by the native kernel tests: registers the `native` backend when the addon is built
 * (else each test skips with the reason), and compares a computation and its gradients on
 * `native` with the same on `cpu`, the reference.
 */
import * as tf from '../../../src/tf.js';
import { nativeStatus } from '../../../src/node/native/addon.js';
import { registerNativeBackend } from '../../../src/node/native/native-backend.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';
import { assertClose, randn } from '../../support/tensors.js';
import { skipUnless } from '../../support/prerequisites.js';

const status = nativeStatus();
/** `false` when the addon loaded; otherwise the skip message. */
// CI and `npm run test:asan` set CONTRASTIVE_REQUIRE_NATIVE=1: a missing addon is then a failure, not a skip.
export const skip: false | string = skipUnless('native', status.loaded ? false : `native addon not available: ${status.reason}`);
if (status.loaded) registerNativeBackend();

export interface Input {
  shape: number[];
  /** Seed of its standard-normal values. */
  seed: number;
  /** Scale of the values. @default 1 */
  scale?: number;
}

/** Runs `fn` on `backend`: outputs and, when `grad`, the gradients of sum(outputs * weights) with respect to every input. */
function run(backend: string, inputs: Input[], fn: (...xs: tf.Tensor[]) => tf.Tensor, grad: boolean): Float32Array[] {
  // both backends are registered and synchronous: the switch is done when setBackend returns
  void tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(randn(i.shape.reduce((a, b) => a * b, 1), i.seed).map((v) => v * (i.scale ?? 1)), i.shape));
    const y = fn(...xs);
    const out = [y.dataSync() as Float32Array];
    if (grad) {
      const w = tf.tensor(randn(y.size, 999), y.shape);
      const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(fn(...a), w)));
      for (const d of g(xs)) out.push(d.dataSync() as Float32Array);
    }
    return out.map((a) => Float32Array.from(a));
  });
}

/**
 * Asserts that `fn` (and its gradients) on native match cpu within rtol/atol (atol scaled by the
 * largest magnitude of each result), and that each of `kernels` ran natively at least once.
 */
export function compareWithCpu(what: string, inputs: Input[], fn: (...xs: tf.Tensor[]) => tf.Tensor,
  { grad = true, rtol = 1e-4, atol = 1e-4, kernels = [] as string[] } = {}): void {
  const want = run('cpu', inputs, fn, grad);
  const before = tf.memory().numTensors;
  const calls = kernels.map((k) => nativeCalls[k] ?? 0);
  const got = run('native', inputs, fn, grad);
  if (tf.memory().numTensors !== before) throw new Error(`${what}: leaked ${tf.memory().numTensors - before} tensors on native`);
  kernels.forEach((k, i) => {
    if ((nativeCalls[k] ?? 0) === calls[i]) throw new Error(`${what}: native kernel ${k} did not run (handed to the cpu kernel)`);
  });
  void tf.setBackend('cpu');
  got.forEach((g, i) => {
    const scale = want[i]!.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    assertClose(g, want[i]!, rtol, atol * scale, `${what} ${i === 0 ? 'output' : `gradient ${i - 1}`}`);
  });
}
