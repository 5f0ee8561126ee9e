/** wasm in Node runs a thread pool on every core (tfjs-backend-wasm alone gives Node 1 thread). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { kernelThreadCount } from '../../../src/backend-loaders/wasm/kernel-threads.js';
import { heapMemory } from '../../../src/backend-loaders/wasm/wasm-assembler.js';

test('initBackend("wasm") in Node reports every core as threads, with that many pool threads running', async (t) => {
  if (process.env.CONTRASTIVE_WASM_THREADS !== undefined) {
    t.skip('CONTRASTIVE_WASM_THREADS is set: the thread count is forced');
    return;
  }
  const info = await initBackend('wasm');
  const cores = availableParallelism();
  assert.equal(info.name, 'wasm');
  assert.equal(info.threads, cores);
  const backend = tf.backend() as unknown as { wasm: { PThread?: { runningWorkers: unknown[] } } };
  if (cores > 1) assert.equal(backend.wasm.PThread?.runningWorkers.length, cores - 1, 'pool threads besides the main one');
  // the project's own kernels split their calls over as many threads (src/node/wasm-kernel-threads.ts)
  assert.equal(kernelThreadCount(heapMemory(backend)!), cores);
  // and it computes: a matmul big enough for XNNPACK to split across the pool
  const a = tf.tensor2d(
    Float32Array.from({ length: 256 * 64 }, (_, i) => (i % 7) - 3),
    [256, 64],
  );
  const b = tf.tensor2d(
    Float32Array.from({ length: 64 * 32 }, (_, i) => (i % 5) - 2),
    [64, 32],
  );
  const c = tf.matMul(a, b).dataSync();
  let expected = 0;
  for (let k = 0; k < 64; k++) expected += (((255 * 64 + k) % 7) - 3) * (((k * 32 + 31) % 5) - 2);
  assert.equal(c[256 * 32 - 1], expected);
  tf.dispose([a, b]);
});
