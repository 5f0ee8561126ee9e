/**
 * A tiny WebAssembly module on a shared memory for the kernel-thread pools' tests
 * (test/node/wasm-kernel-threads.test.ts, test/backend-loaders/wasm/browser-kernel-threads.test.ts):
 * - `probe(role, flag, out, spins)`: role 1 raises the i32 flag; role 0 spins up to `spins` times
 *   for it and writes 1 to `out` if it saw it, 2 if not. Two parts that see 1 ran at the same time.
 * - `fill(ptr, count, value)` writes `count` i32s; `trap()` fails.
 * `fillModule()` is a second module with the same `fill`.
 */
import assert from 'node:assert/strict';
import { assemble, forRange, get, i32, I32, type Code, type Fn } from '../../src/backend-loaders/wasm/wasm-assembler.js';
import type { KernelThreads } from '../../src/backend-loaders/wasm/kernel-threads.js';

const atomicLoad = (addr: Code): Code => [addr, 0xfe, 0x10, 2, 0];
const atomicStore = (addr: Code, value: Code): Code => [addr, value, 0xfe, 0x17, 2, 0];
const store = (addr: Code, value: Code): Code => [addr, value, 0x36, 2, 0];

const probe: Fn = {
  name: 'probe',
  params: 4,
  locals: [[1, I32]],
  body: [
    get(0),
    [0x04, 0x40, atomicStore(get(1), i32(1)), 0x0f, 0x0b], // if role: raise the flag, return
    forRange(4, i32(0), get(3), 1, [atomicLoad(get(1)), 0x04, 0x40, store(get(2), i32(1)), 0x0f, 0x0b]),
    store(get(2), i32(2)),
  ],
};

const fill: Fn = {
  name: 'fill',
  params: 3,
  locals: [[1, I32]],
  body: [forRange(3, i32(0), get(1), 1, [store([get(0), [get(3), i32(4), 0x6c], 0x6a], get(2))])],
};

const trap: Fn = { name: 'trap', params: 0, locals: [], body: [0x00] };

/** probe, fill and trap, for a shared memory. */
export function probeModule(): WebAssembly.Module {
  return new WebAssembly.Module(assemble([probe, fill, trap], true));
}

/** fill alone, for a shared memory. */
export function fillModule(): WebAssembly.Module {
  return new WebAssembly.Module(assemble([fill], true));
}

/** An instance's exports as callable functions. */
export function exportsOf(module: WebAssembly.Module, memory: WebAssembly.Memory): Record<string, (...args: number[]) => void> {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
}

/**
 * Runs `probe` as two parts on a 2-thread pool: part 0 (the calling thread) spins for the flag
 * part 1 raises, so it sees it only if part 1 ran meanwhile on a worker. Uses the heap's first 8 bytes.
 */
export function assertPartsRunTogether(pool: Pick<KernelThreads, 'run'>, module: WebAssembly.Module, memory: WebAssembly.Memory): void {
  pool.run(
    module,
    'probe',
    [
      [0, 0, 4, 2_000_000_000],
      [1, 0, 4, 0],
    ],
    exportsOf(module, memory).probe!,
  );
  assert.equal(new Int32Array(memory.buffer)[1], 1, 'the calling thread saw the flag its worker raised');
}
