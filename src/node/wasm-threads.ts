/**
 * Threads for the wasm backend in Node. tfjs-backend-wasm 4.22 turns threads off in Node
 * (tfjs issue #3830: its pthread workers are started from Blob URLs, which Node's Worker cannot
 * load) and it caps its pool at half the cores. This writes the pthread worker script to a file,
 * points it at the threaded module's own script on disk instead of a Blob, turns the
 * multithread flag on, sets the thread count and lifts the half-the-cores cap (the module asks
 * `os.cpus()`), all before the backend initialises and undone right after.
 * Node-only: called by the wasm provider of `src/node/node-backend-loaders.ts`.
 */
import os, { availableParallelism, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import * as tf from '../tf.js';
import { heapMemory, isShared } from '../backend-loaders/wasm/wasm-assembler.js';
import { setKernelThreads } from '../backend-loaders/wasm/kernel-threads.js';
import { NodeKernelThreads } from './wasm-kernel-threads.js';

const require = createRequire(import.meta.url);

/** What `prepareWasmThreads` did. */
export interface WasmThreadsSetup {
  /** Threads asked of XNNPACK's pool. */
  threads: number;
  /** The worker script written for the pthreads. */
  workerScript: string;
  /**
   * Undoes the temporary hooks; call once the backend has initialised (or failed to). Also lets
   * the process exit while the pool's threads wait: Emscripten keeps a running pthread's worker
   * referenced, so a script that ends would otherwise hang.
   */
  restore(): void;
}

/** The text of the shipped worker that loads the main script from a Blob; replaced by a file path. */
const BLOB_IMPORT = 'var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)';

/**
 * Prepares the threaded wasm build for Node. Call before `tf.setBackend('wasm')` and call
 * `restore()` after it. Throws (with the reason) when threads cannot work here; the caller then
 * keeps the single-threaded build.
 * @param threads pool size. @default os.availableParallelism() (every core, not half)
 */
export function prepareWasmThreads(threads = availableParallelism()): WasmThreadsSetup {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available');
  const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerModule = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!existsSync(mainScript) || !existsSync(workerModule)) throw new Error(`threaded wasm scripts not found under ${pkgDir}/wasm-out`);
  const { wasmWorkerContents } = require(workerModule) as { wasmWorkerContents: string };
  if (!wasmWorkerContents.includes(BLOB_IMPORT)) throw new Error('unexpected tfjs-backend-wasm worker script (version changed?)');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(tmpdir(), `contrastive-wasm-${version}`);
  mkdirSync(dir, { recursive: true });
  // The shipped text holds real newlines where its string literals had `\n` (the backend escapes
  // them the same way before making its Blob).
  const text = wasmWorkerContents.replace(/\n/g, '\\n').replace(BLOB_IMPORT, `importScripts(${JSON.stringify(mainScript)})`);
  // One file per content, shared by processes; written atomically (temp file + rename).
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const workerScript = join(dir, `tfjs-backend-wasm-threaded-simd.worker.${hash}.cjs`);
  if (!existsSync(workerScript)) {
    const tmp = `${workerScript}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, workerScript);
  }

  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void };
  wasm.setThreadsCount(threads);

  // The backend asks URL.createObjectURL for the worker's Blob (type application/javascript);
  // answer with the file instead, only for that Blob and only until restore().
  const original = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob | MediaSource): string =>
    obj instanceof Blob && obj.type === 'application/javascript' ? workerScript : original(obj as Blob);
  // The module caps its pool at emscripten_num_logical_cores() / 2 ("2 threads per core"),
  // which asks os.cpus() in Node: report 2 x threads until restore().
  const cpus = os.cpus;
  const list = cpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => list[i % Math.max(1, list.length)]!);
  return {
    threads,
    workerScript,
    restore: () => {
      URL.createObjectURL = original;
      os.cpus = cpus;
      const backend = tf.findBackend('wasm') as { wasm?: { PThread?: { runningWorkers?: { unref?(): void }[] } } } | null;
      for (const w of backend?.wasm?.PThread?.runningWorkers ?? []) w.unref?.();
    },
  };
}

/**
 * Workers for the project's own wasm kernels on the threaded heap (`NodeKernelThreads`), so that
 * they use as many threads as XNNPACK's pool. Nothing where the heap is not shared.
 */
function startKernelThreads(threads: number): void {
  const backend = tf.findBackend('wasm') as unknown as { wasm: unknown } | null;
  const memory = backend === null ? undefined : heapMemory(backend);
  if (memory === undefined || !isShared(memory)) return;
  setKernelThreads(new NodeKernelThreads(memory, threads));
}

/** Threads asked by `CONTRASTIVE_WASM_THREADS` (a positive integer), if set. */
function envThreads(): number | undefined {
  const v = process.env.CONTRASTIVE_WASM_THREADS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CONTRASTIVE_WASM_THREADS must be a positive integer, got '${v}'`);
  return n;
}

/**
 * Initialises the wasm backend with a thread pool of `threads` (every core unless
 * `CONTRASTIVE_WASM_THREADS` says otherwise). With 1 thread, or when threads cannot start here,
 * it leaves the backend to initialise single-threaded as shipped (returns why, for the log).
 */
export async function initWasmWithThreads(threads?: number): Promise<string | undefined> {
  const n = threads ?? envThreads() ?? availableParallelism();
  if (n <= 1) return undefined;
  if (tf.findBackend('wasm') !== null) return 'wasm already initialised; threads unchanged';
  let setup: WasmThreadsSetup;
  try {
    setup = prepareWasmThreads(n);
  } catch (err) {
    return `wasm threads unavailable: ${(err as Error).message}`;
  }
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch {
    ok = false;
  } finally {
    setup.restore();
  }
  if (ok) {
    startKernelThreads(n);
    return undefined;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  (require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void }).setThreadsCount(-1);
  return 'the threaded wasm build did not initialise; using 1 thread';
}
