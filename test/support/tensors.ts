/** Test helpers: backend setup, closeness, leak checks, seeded random data. */
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { initBackend, type BackendName } from '../../src/backend.js';

/** Activates the test backend: `CONTRASTIVE_TEST_BACKEND`, else `cpu` (exact, the reference). */
export async function useBackend(name?: BackendName): Promise<void> {
  const env = process.env.CONTRASTIVE_TEST_BACKEND as BackendName | undefined;
  await initBackend(name ?? env ?? 'cpu');
}

/** Runs `fn` and asserts that the number of live tensors is the same before and after. */
export function assertNoLeak<T>(fn: () => T, what = 'call'): T {
  const before = tf.memory().numTensors;
  const out = fn();
  const produced = out instanceof tf.Tensor ? 1 : 0;
  const after = tf.memory().numTensors;
  assert.equal(after - produced, before, `${what} leaked ${after - produced - before} tensor(s)`);
  if (out instanceof tf.Tensor) out.dispose();
  return out;
}

/** Async version of assertNoLeak for functions whose result is not a tensor. */
export async function assertNoLeakAsync(fn: () => Promise<unknown>, what = 'call'): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  assert.equal(after, before, `${what} leaked ${after - before} tensor(s)`);
}

/** Asserts |a - b| <= atol + rtol * |b| elementwise. */
export function assertClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  rtol = 1e-5,
  atol = 1e-6,
  what = 'value',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const b = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const tol = atol + rtol * Math.abs(b[i]!);
    if (!(Math.abs(a[i]! - b[i]!) <= tol)) {
      assert.fail(`${what}[${i}]: got ${a[i]}, expected ${b[i]} (tolerance ${tol})`);
    }
  }
}

/** Mulberry32: a small seeded generator for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard-normal values from a seeded generator. */
export function randn(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** `model` saved to memory and loaded back with plain `tf.loadLayersModel` (serialisation round trip). */
export async function reloadFromMemory(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}
