/**
 * The wasm backend (XNNPACK, SIMD) with the training kernels it lacks as shipped
 * (see `src/backend-loaders/wasm/register.ts`). Runs in Node and in browsers. Node's thread setup lives
 * in `src/node/wasm-threads.ts`, which replaces this provider's `load` in Node.
 */
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerBackendProvider } from '../backend.js';
import { registerWasmTrainingKernels } from './wasm/register.js';

registerWasmTrainingKernels();

/**
 * The browser's thread count for the threaded wasm build: every logical core, at most the 8
 * workers the shipped build pre-allocates. Left to itself the backend asks for half the cores
 * (min 4, max(1, cores / 2)): 1 thread on a 2-core machine even in a cross-origin isolated page
 * (issue 21). Undefined where threads cannot run (no isolation: no SharedArrayBuffer) or outside
 * a browser (Node sets its own count, src/node/wasm-threads.ts).
 */
export function browserWasmThreads(): number | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (g.crossOriginIsolated !== true || typeof SharedArrayBuffer === 'undefined') return undefined;
  const cores = g.navigator?.hardwareConcurrency;
  return typeof cores === 'number' && cores >= 1 ? Math.min(8, Math.floor(cores)) : undefined;
}

registerBackendProvider('wasm', {
  priority: 10,
  runtime: 'any',
  load: async () => {
    const threads = browserWasmThreads();
    if (threads !== undefined) setThreadsCount(threads);
  },
  threads: () => getThreadsCount(),
});
