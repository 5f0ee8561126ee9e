/** runParts without workers, or on another heap than theirs, runs every part in turn on the calling thread. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  kernelThreadCount,
  partRange,
  runParts,
  setKernelThreads,
  type KernelThreads,
} from '../../../src/backend-loaders/wasm/kernel-threads.js';

test('runParts calls the export once per part, in order, where no workers serve the heap', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const calls: number[][] = [];
  const exports = { f: (...a: number[]) => void calls.push(a) };
  const module = {} as WebAssembly.Module;
  setKernelThreads(undefined);
  assert.equal(kernelThreadCount(memory), 1);
  runParts(memory, module, exports, 'f', [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(calls, [
    [1, 2],
    [3, 4],
  ]);

  // registered workers of another heap are not used; those of this heap are
  const used: string[] = [];
  const fake = (m: WebAssembly.Memory): KernelThreads => ({
    memory: m,
    threads: 2,
    run: (_mod, fn, parts, local) => {
      used.push(fn);
      local(...parts[0]!);
    },
  });
  setKernelThreads(fake(new WebAssembly.Memory({ initial: 1 })));
  assert.equal(kernelThreadCount(memory), 1);
  runParts(memory, module, exports, 'f', [[5], [6]]);
  assert.deepEqual(used, []);
  setKernelThreads(fake(memory));
  assert.equal(kernelThreadCount(memory), 2);
  runParts(memory, module, exports, 'f', [[7], [8]]);
  runParts(memory, module, exports, 'f', [[9]]); // one part: no dispatch
  assert.deepEqual(used, ['f']);
  assert.deepEqual(calls.slice(2), [[5], [6], [7], [9]]);
  setKernelThreads(undefined);
});

test('partRange splits a count into near-equal runs that cover it', () => {
  for (const [count, parts] of [
    [16, 2],
    [7, 3],
    [2, 2],
    [5, 1],
  ] as [number, number][]) {
    const ranges = Array.from({ length: parts }, (_, i) => partRange(count, parts, i));
    assert.equal(ranges[0]![0], 0);
    assert.equal(ranges.at(-1)![1], count);
    ranges.forEach(([a, b], i) => {
      if (i > 0) assert.equal(a, ranges[i - 1]![1]);
      assert.ok(b - a >= Math.floor(count / parts) && b - a <= Math.ceil(count / parts), `${count}/${parts}: [${a}, ${b})`);
    });
  }
});
