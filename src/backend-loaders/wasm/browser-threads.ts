/**
 * Threads for the wasm backend in a browser. The shipped tfjs-backend-wasm 4.22 runs its
 * threaded build whenever the page is cross-origin isolated, but its C++ side
 * (`init_with_threads_count`, tfjs-backend-wasm/src/cc/backend.cc) caps XNNPACK's pool at
 * `emscripten_num_logical_cores() / 2` ("2 threads per core"), and that reads
 * `navigator.hardwareConcurrency` once, when the module starts: a 2-core machine gets 1 thread,
 * whatever `setThreadsCount` asks (issue 21). So while the backend initialises, this reports
 * twice the wanted threads as the page's core count, then removes that override (the mirror of
 * `src/node/wasm-threads.ts`, which does the same with `os.cpus()` in Node).
 */
import * as tf from '../../tf.js';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { ConfigError } from '../../errors.js';

let requested: number | undefined;

/**
 * Asks for `threads` wasm threads in the browser instead of every core (the demo page's
 * `?threads=1` measures one thread against the pool). Call before `initBackend`; undefined
 * goes back to every core.
 */
export function setBrowserWasmThreads(threads: number | undefined): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new ConfigError('setBrowserWasmThreads', 'threads', `must be a positive integer, got ${threads}`);
  }
  requested = threads;
}

/**
 * The browser's thread count for the threaded wasm build: every logical core (or what
 * `setBrowserWasmThreads` asked), at most the 8 workers the shipped build pre-allocates.
 * Undefined where threads cannot run (not cross-origin isolated: no SharedArrayBuffer) or outside
 * a browser (Node sets its own, src/node/wasm-threads.ts).
 */
export function browserWasmThreads(
  g: { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } } = globalThis,
  hasSharedArrayBuffer = typeof SharedArrayBuffer !== 'undefined',
): number | undefined {
  if (g.crossOriginIsolated !== true || !hasSharedArrayBuffer) return undefined;
  const cores = requested ?? g.navigator?.hardwareConcurrency;
  return typeof cores === 'number' && cores >= 1 ? Math.min(8, Math.floor(cores)) : undefined;
}

/**
 * Initialises the wasm backend with a pool of `threads` in a cross-origin isolated page:
 * `setThreadsCount(threads)`, and `navigator.hardwareConcurrency` reads `2 * threads` until
 * `tf.setBackend('wasm')` has settled (an own property on `navigator` that shadows the
 * prototype's getter, deleted afterwards). Does nothing for 1 thread or once wasm is initialised.
 * @returns what `tf.setBackend('wasm')` returned (true when nothing was to do).
 */
export async function initBrowserWasmThreads(threads: number, nav: object = globalThis.navigator): Promise<boolean> {
  if (threads <= 1 || tf.findBackend('wasm') !== null) return true;
  setThreadsCount(threads);
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await tf.setBackend('wasm');
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
