/**
 * More threads for the project's own wasm kernels (the SIMD modules assembled here). XNNPACK's
 * pool runs the shipped kernels on every core, but a module of ours runs on the calling thread
 * only: the Winograd weight gradient left the second core idle for most of its time. Where the
 * heap is shared (the threaded build), a runtime can register workers that instantiate the same
 * module on the same heap; `runParts` then runs one call per part, the first on the calling
 * thread, and returns when all are done. Without workers, or on an unshared heap, it runs the
 * parts in turn on the calling thread, so callers write one code path. Node registers workers in
 * `src/node/wasm-kernel-threads.ts`; in a browser the parts run on the calling thread.
 */

/** Workers that run exports of the project's modules on the wasm heap. */
export interface KernelThreads {
  /** The heap the workers instantiate modules on. */
  readonly memory: WebAssembly.Memory;
  /** Threads a `run` can use, the calling one included. */
  readonly threads: number;
  /**
   * Calls `fn` of `module` once per part with that part's arguments (i32 each), `parts[0]` by
   * `local` on the calling thread and the others on workers; returns once every part is done.
   * Throws when a part fails.
   */
  run(module: WebAssembly.Module, fn: string, parts: readonly (readonly number[])[], local: (...args: number[]) => void): void;
}

let registered: KernelThreads | undefined;

/** Sets (or, with undefined, removes) the workers `runParts` uses. */
export function setKernelThreads(threads: KernelThreads | undefined): void {
  registered = threads;
}

/** The workers registered with `setKernelThreads`, if any. */
export function registeredKernelThreads(): KernelThreads | undefined {
  return registered;
}

/** Threads `runParts` splits a call on `memory` into: the registered workers and the calling thread, or 1. */
export function kernelThreadCount(memory: WebAssembly.Memory): number {
  return registered?.memory === memory ? registered.threads : 1;
}

/**
 * Runs `fn` of `exports` (an instance of `module` on `memory`) once per part (at most
 * `kernelThreadCount()` parts): on the registered workers where they share `memory`, else in
 * turn on the calling thread.
 */
export function runParts(
  memory: WebAssembly.Memory,
  module: WebAssembly.Module,
  exports: Record<string, unknown>,
  fn: string,
  parts: readonly (readonly number[])[],
): void {
  const local = exports[fn] as (...args: number[]) => void;
  if (registered === undefined || registered.memory !== memory || parts.length < 2) {
    for (const args of parts) local(...args);
    return;
  }
  registered.run(module, fn, parts, local);
}

/**
 * Runs `fn` once per part of `count` items, at most one part per kernel thread on `memory` (see
 * `runParts`); `args(from, to)` gives the arguments of the part holding items [from, to).
 */
export function splitParts(
  memory: WebAssembly.Memory,
  module: WebAssembly.Module,
  exports: Record<string, unknown>,
  fn: string,
  count: number,
  args: (from: number, to: number) => number[],
): void {
  const n = Math.max(1, Math.min(kernelThreadCount(memory), count));
  runParts(
    memory,
    module,
    exports,
    fn,
    Array.from({ length: n }, (_, i) => args(...partRange(count, n, i))),
  );
}

/** Ids for the modules a pool of workers is sent, and where an export sits among a module's exports. */
export class KernelModules {
  private readonly entries = new WeakMap<WebAssembly.Module, { id: number; names: string[] }>();
  private nextId = 1;

  /** The module's id (the same for every call), its export names, and `fn`'s index among them; throws, naming `owner`, where it has no `fn`. */
  lookup(module: WebAssembly.Module, fn: string, owner: string): { id: number; names: string[]; index: number } {
    let entry = this.entries.get(module);
    if (entry === undefined) {
      entry = { id: this.nextId++, names: WebAssembly.Module.exports(module).map((e) => e.name) };
      this.entries.set(module, entry);
    }
    const index = entry.names.indexOf(fn);
    if (index < 0) throw new Error(`${owner}.run: the module has no export '${fn}'`);
    return { ...entry, index };
  }
}

/** [start, end) of part `i` of `count` items split into `parts` near-equal runs. */
export function partRange(count: number, parts: number, i: number): [number, number] {
  return [Math.floor((count * i) / parts), Math.floor((count * (i + 1)) / parts)];
}
