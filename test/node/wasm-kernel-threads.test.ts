/** Node's workers for the project's wasm kernels: parts run at the same time, on the same heap, and failures reach the caller. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeKernelThreads } from '../../src/node/wasm-kernel-threads.js';
import { assertPartsRunTogether, exportsOf, fillModule, probeModule } from '../support/wasm-probe.js';

test('NodeKernelThreads runs parts at the same time on a worker, on the shared heap', async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const probe = probeModule();
  const other = fillModule();
  const local = exportsOf(probe, memory);
  const localOther = exportsOf(other, memory);
  const pool = new NodeKernelThreads(memory, 2);
  try {
    const heap = new Int32Array(memory.buffer);
    assertPartsRunTogether(pool, probe, memory);

    // parts write their own ranges; a second module is sent when first used, then both alternate
    pool.run(
      probe,
      'fill',
      [
        [64, 8, 7],
        [96, 8, 9],
      ],
      local.fill!,
    );
    pool.run(
      other,
      'fill',
      [
        [128, 4, 5],
        [144, 4, 6],
      ],
      localOther.fill!,
    );
    pool.run(
      probe,
      'fill',
      [
        [160, 2, 3],
        [168, 2, 4],
      ],
      local.fill!,
    );
    assert.deepEqual(Array.from(heap.subarray(16, 32)), [...Array<number>(8).fill(7), ...Array<number>(8).fill(9)]);
    assert.deepEqual(Array.from(heap.subarray(32, 40)), [5, 5, 5, 5, 6, 6, 6, 6]);
    assert.deepEqual(Array.from(heap.subarray(40, 44)), [3, 3, 4, 4]);
  } finally {
    await pool.terminate();
  }
});

test('NodeKernelThreads: a part that fails on its worker throws in the caller, and the pool goes on working', async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const probe = probeModule();
  const local = exportsOf(probe, memory);
  const pool = new NodeKernelThreads(memory, 2);
  try {
    assert.throws(() => pool.run(probe, 'trap', [[], []], () => {}), /NodeKernelThreads\.run: 'trap' part 1 failed on its worker/);
    // a failure on the calling thread surfaces after the worker's part is done
    assert.throws(() => pool.run(probe, 'trap', [[], []], local.trap!), WebAssembly.RuntimeError);
    pool.run(
      probe,
      'fill',
      [
        [0, 2, 1],
        [8, 2, 2],
      ],
      local.fill!,
    );
    assert.deepEqual(Array.from(new Int32Array(memory.buffer, 0, 4)), [1, 1, 2, 2]);
    assert.throws(() => pool.run(probe, 'nope', [[], []], () => {}), /the module has no export 'nope'/);
    assert.throws(() => pool.run(probe, 'fill', [[], [], []], () => {}), /3 parts for 2 threads/);
  } finally {
    await pool.terminate();
  }
});

test('NodeKernelThreads needs a shared heap and at least 2 threads', () => {
  assert.throws(() => new NodeKernelThreads(new WebAssembly.Memory({ initial: 1 }), 2), /the heap is not shared/);
  assert.throws(
    () => new NodeKernelThreads(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }), 1),
    /threads must be an integer >= 2, got 1/,
  );
});
