/**
 * Worker threads for the project's own wasm kernels in Node (`KernelThreads` of
 * src/backend-loaders/wasm/kernel-threads.ts). Each worker instantiates the modules it is sent on
 * the backend's shared heap and waits on a small shared control block; a run writes each part's
 * call into its worker's block, wakes it, runs part 0 itself and waits until every worker has
 * written back. Modules reach a worker by a message it reads synchronously when a job needs one
 * (`receiveMessageOnPort`), so a run never waits on the event loop. The workers are unref'd: a
 * process exits while they wait.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { KernelModules, type KernelThreads } from '../backend-loaders/wasm/kernel-threads.js';

/** Control block (Int32 slots): the job posted, the job done, its status, module, export, argument count, arguments. */
const SEQ = 0;
const DONE = 1;
const STATUS = 2;
const MODULE = 3;
const FN = 4;
const ARGC = 5;
const ARGS = 6;
const MAX_ARGS = 16;

/** A part taking longer than this is taken for a lost worker. */
const WAIT_MS = 120_000;

/** The worker's loop; it runs as CommonJS source (`eval`). */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { control, port, memory } = workerData;
const ctl = new Int32Array(control);
const modules = new Map();
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  const seq = Atomics.load(ctl, ${SEQ});
  if (seq === seen) continue;
  seen = seq;
  let status = 0;
  try {
    const id = ctl[${MODULE}];
    let fns = modules.get(id);
    while (fns === undefined) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) throw new Error('module ' + id + ' was never sent');
      const exports = new WebAssembly.Instance(m.message.module, { env: { memory } }).exports;
      modules.set(m.message.id, m.message.names.map((n) => exports[n]));
      fns = modules.get(id);
    }
    const args = [];
    for (let i = 0; i < ctl[${ARGC}]; i++) args.push(ctl[${ARGS} + i]);
    fns[ctl[${FN}]](...args);
  } catch {
    status = 1;
  }
  ctl[${STATUS}] = status;
  Atomics.store(ctl, ${DONE}, seq);
  Atomics.notify(ctl, ${DONE});
}
`;

interface Slot {
  worker: Worker;
  ctl: Int32Array;
  port: MessagePort;
  /** Module ids already sent to this worker. */
  sent: Set<number>;
}

/** Node's `KernelThreads`: `threads - 1` workers on `memory` (a shared heap) and the calling thread. */
export class NodeKernelThreads implements KernelThreads {
  readonly threads: number;
  private readonly slots: Slot[];
  private readonly modules = new KernelModules();

  constructor(
    readonly memory: WebAssembly.Memory,
    threads: number,
  ) {
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('NodeKernelThreads: the heap is not shared');
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`NodeKernelThreads: threads must be an integer >= 2, got ${threads}`);
    this.threads = threads;
    this.slots = Array.from({ length: threads - 1 }, () => {
      const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { control, port: port2, memory }, transferList: [port2] });
      worker.unref();
      port1.unref();
      return { worker, ctl: new Int32Array(control), port: port1, sent: new Set<number>() };
    });
  }

  run(module: WebAssembly.Module, fn: string, parts: readonly (readonly number[])[], local: (...args: number[]) => void): void {
    if (parts.length > this.threads) throw new Error(`NodeKernelThreads.run: ${parts.length} parts for ${this.threads} threads`);
    const entry = this.modules.lookup(module, fn, 'NodeKernelThreads');
    const { index } = entry;
    const used = this.slots.slice(0, parts.length - 1);
    const seqs = used.map((slot, i) => {
      const args = parts[i + 1]!;
      if (args.length > MAX_ARGS) throw new Error(`NodeKernelThreads.run: at most ${MAX_ARGS} arguments, got ${args.length}`);
      if (!slot.sent.has(entry.id)) {
        slot.port.postMessage({ id: entry.id, module, names: entry.names });
        slot.sent.add(entry.id);
      }
      const { ctl } = slot;
      ctl[MODULE] = entry.id;
      ctl[FN] = index;
      ctl[ARGC] = args.length;
      args.forEach((a, k) => (ctl[ARGS + k] = a));
      const seq = (Atomics.load(ctl, SEQ) + 1) & 0x7fffffff || 1;
      Atomics.store(ctl, SEQ, seq);
      Atomics.notify(ctl, SEQ);
      return seq;
    });
    let failure: Error | undefined;
    try {
      local(...parts[0]!);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    used.forEach((slot, i) => {
      const { ctl } = slot;
      for (let done = Atomics.load(ctl, DONE); done !== seqs[i]; done = Atomics.load(ctl, DONE)) {
        if (Atomics.wait(ctl, DONE, done, WAIT_MS) === 'timed-out') {
          throw new Error(`NodeKernelThreads.run: '${fn}' part ${i + 1} did not finish within ${WAIT_MS / 1000} s`);
        }
      }
      if (ctl[STATUS] !== 0) failure ??= new Error(`NodeKernelThreads.run: '${fn}' part ${i + 1} failed on its worker`);
    });
    if (failure !== undefined) throw failure;
  }

  /** Stops the workers (tests; a process that ends needs no call). */
  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
