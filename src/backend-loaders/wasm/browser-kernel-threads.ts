/**
 * Web Workers for the project's own wasm kernels in a cross-origin isolated page (`KernelThreads`
 * of kernel-threads.ts; Node has its own, src/node/wasm-kernel-threads.ts). A page's main thread
 * may not block on `Atomics.wait`, so a part is posted to its worker as a message (the module with
 * it the first time), the worker instantiates the module on the shared heap, runs the part and
 * raises a done flag in shared memory, and the calling thread, once its own part is done, spins on
 * that flag. A worker that has not started yet (its first message still on the way) gets no part:
 * the calling thread runs that part itself, so a run never waits on a worker's start.
 */
import { KernelModules, type KernelThreads } from './kernel-threads.js';

/** Control block (Int32 slots): worker started, job done, its status. */
const READY = 0;
const DONE = 1;
const STATUS = 2;

/** A part taking longer than this is taken for a lost worker. */
const WAIT_MS = 120_000;

/** The worker's script. */
export const BROWSER_KERNEL_WORKER_SOURCE = `
let memory;
let ctl;
const instances = new Map();
onmessage = (e) => {
  const m = e.data;
  if (m.init) {
    memory = m.memory;
    ctl = new Int32Array(m.control);
    Atomics.store(ctl, ${READY}, 1);
    return;
  }
  let status = 0;
  try {
    let fns = instances.get(m.id);
    if (fns === undefined) {
      const exports = new WebAssembly.Instance(m.module, { env: { memory } }).exports;
      fns = m.names.map((n) => exports[n]);
      instances.set(m.id, fns);
    }
    fns[m.fn](...m.args);
  } catch {
    status = 1;
  }
  ctl[${STATUS}] = status;
  Atomics.store(ctl, ${DONE}, m.seq);
};
`;

/** What a worker needs of the page's `Worker`. */
export interface KernelWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}

interface Slot {
  worker: KernelWorker;
  ctl: Int32Array;
  seq: number;
  sent: Set<number>;
}

/** A Web Worker running `source`, from a Blob URL (same origin, so allowed under COEP). */
function blobWorker(source: string): KernelWorker {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The browser's `KernelThreads`: `threads - 1` Web Workers on `memory` (a shared heap) and the calling thread. */
export class BrowserKernelThreads implements KernelThreads {
  readonly threads: number;
  /** Parts run on workers so far (the page's diagnostics). */
  partsOnWorkers = 0;
  private readonly slots: Slot[];
  private readonly modules = new KernelModules();

  /** `spawn` starts a worker running the given script (tests pass their own). */
  constructor(
    readonly memory: WebAssembly.Memory,
    threads: number,
    spawn: (source: string) => KernelWorker = blobWorker,
  ) {
    if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new Error('BrowserKernelThreads: the heap is not shared');
    }
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`BrowserKernelThreads: threads must be an integer >= 2, got ${threads}`);
    this.threads = threads;
    this.slots = Array.from({ length: threads - 1 }, () => {
      const control = new SharedArrayBuffer(16);
      const worker = spawn(BROWSER_KERNEL_WORKER_SOURCE);
      worker.postMessage({ init: true, memory, control });
      return { worker, ctl: new Int32Array(control), seq: 0, sent: new Set<number>() };
    });
  }

  /** Workers that have started (the others get no parts yet). */
  ready(): number {
    return this.slots.filter((s) => Atomics.load(s.ctl, READY) === 1).length;
  }

  run(module: WebAssembly.Module, fn: string, parts: readonly (readonly number[])[], local: (...args: number[]) => void): void {
    if (parts.length > this.threads) throw new Error(`BrowserKernelThreads.run: ${parts.length} parts for ${this.threads} threads`);
    const entry = this.modules.lookup(module, fn, 'BrowserKernelThreads');
    const { index } = entry;
    const ready = this.slots.filter((s) => Atomics.load(s.ctl, READY) === 1);
    const posted: Slot[] = [];
    const leftover: (readonly number[])[] = [];
    parts.slice(1).forEach((args, i) => {
      const slot = ready[i];
      if (slot === undefined) {
        leftover.push(args);
        return;
      }
      slot.seq = (slot.seq + 1) & 0x7fffffff || 1;
      const first = !slot.sent.has(entry.id);
      slot.sent.add(entry.id);
      slot.worker.postMessage({
        seq: slot.seq,
        id: entry.id,
        fn: index,
        args: [...args],
        ...(first ? { module, names: entry.names } : {}),
      });
      posted.push(slot);
    });
    let failure: Error | undefined;
    try {
      local(...parts[0]!);
      for (const args of leftover) local(...args);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    const t0 = performance.now();
    posted.forEach((slot, i) => {
      while (Atomics.load(slot.ctl, DONE) !== slot.seq) {
        if (performance.now() - t0 > WAIT_MS)
          throw new Error(`BrowserKernelThreads.run: '${fn}' part ${i + 1} did not finish within ${WAIT_MS / 1000} s`);
      }
      if (slot.ctl[STATUS] !== 0) failure ??= new Error(`BrowserKernelThreads.run: '${fn}' part ${i + 1} failed on its worker`);
    });
    this.partsOnWorkers += posted.length;
    if (failure !== undefined) throw failure;
  }

  /** Stops the workers. */
  terminate(): void {
    for (const s of this.slots) s.worker.terminate();
  }
}
