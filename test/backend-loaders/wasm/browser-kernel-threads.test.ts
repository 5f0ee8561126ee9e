/**
 * The browser's kernel workers, run here on Node worker threads behind a shim that gives them the
 * Web Worker surface (a global `onmessage`): parts run at the same time on the shared heap, a
 * worker that has not started gets no part, failures reach the caller. The demo page test
 * (test/browser/demo.test.ts) runs them in Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { BrowserKernelThreads, type KernelWorker } from '../../../src/backend-loaders/wasm/browser-kernel-threads.js';
import { assertPartsRunTogether, exportsOf, probeModule } from '../../support/wasm-probe.js';

const SHIM = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (data) => globalThis.onmessage({ data }));\n`;
const nodeWorker = (source: string): KernelWorker => new Worker(SHIM + source, { eval: true });

async function untilReady(pool: BrowserKernelThreads, n: number): Promise<void> {
  for (let i = 0; i < 200 && pool.ready() < n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(pool.ready(), n, 'workers started');
}

test('BrowserKernelThreads: a started worker runs its part while the calling thread runs its own; failures reach the caller', async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const module = probeModule();
  const local = exportsOf(module, memory);
  const pool = new BrowserKernelThreads(memory, 2, nodeWorker);
  try {
    await untilReady(pool, 1);
    const heap = new Int32Array(memory.buffer);
    assertPartsRunTogether(pool, module, memory);
    pool.run(
      module,
      'fill',
      [
        [64, 4, 7],
        [80, 4, 9],
      ],
      local.fill!,
    );
    assert.deepEqual(Array.from(heap.subarray(16, 24)), [7, 7, 7, 7, 9, 9, 9, 9]);
    assert.throws(() => pool.run(module, 'trap', [[], []], () => {}), /'trap' part 1 failed on its worker/);
    pool.run(
      module,
      'fill',
      [
        [96, 2, 1],
        [104, 2, 2],
      ],
      local.fill!,
    );
    assert.deepEqual(Array.from(heap.subarray(24, 28)), [1, 1, 2, 2], 'still works after a failure');
  } finally {
    pool.terminate();
  }
});

test('BrowserKernelThreads: parts of workers not started yet run on the calling thread, in order', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const module = probeModule();
  const posted: unknown[] = [];
  const silent: KernelWorker = { postMessage: (m) => void posted.push(m), terminate: () => {} };
  const pool = new BrowserKernelThreads(memory, 3, () => silent);
  assert.equal(pool.ready(), 0);
  const calls: number[][] = [];
  pool.run(
    module,
    'fill',
    [
      [0, 1, 1],
      [4, 1, 2],
      [8, 1, 3],
    ],
    (...a) => void calls.push(a),
  );
  assert.deepEqual(calls, [
    [0, 1, 1],
    [4, 1, 2],
    [8, 1, 3],
  ]);
  assert.equal(posted.length, 2, 'only the two init messages');
  assert.throws(() => new BrowserKernelThreads(new WebAssembly.Memory({ initial: 1 }), 2, () => silent), /the heap is not shared/);
});
