/**
 * The wasm backend (XNNPACK, SIMD) with the training kernels it lacks as shipped
 * (see `src/backend-loaders/wasm/register.ts`). Runs in Node and in browsers. Node's thread setup lives
 * in `src/node/wasm-threads.ts`, which replaces this provider's `load` in Node; a cross-origin
 * isolated page gets a pool on every core (`src/backend-loaders/wasm/browser-threads.ts`), and Web
 * Workers that run the project's own kernels on as many threads (`wasm/browser-kernel-threads.ts`).
 */
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.js';
import { registerBackendProvider } from '../backend.js';
import { registerWasmTrainingKernels } from './wasm/register.js';
import { browserWasmThreads, initBrowserWasmThreads } from './wasm/browser-threads.js';
import { BrowserKernelThreads } from './wasm/browser-kernel-threads.js';
import { setKernelThreads } from './wasm/kernel-threads.js';
import { heapMemory, isShared } from './wasm/wasm-assembler.js';

registerWasmTrainingKernels();

registerBackendProvider('wasm', {
  priority: 10,
  runtime: 'any',
  load: async () => {
    const threads = browserWasmThreads();
    if (threads === undefined) return;
    if (threads === 1) return setThreadsCount(1);
    // the threaded build failed to start (a blocked worker, say): fall back to one thread
    if (!(await initBrowserWasmThreads(threads))) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      setThreadsCount(-1);
      return;
    }
    // the project's own kernels on as many threads, on the same shared heap
    const backend = tf.findBackend('wasm') as unknown as { wasm: unknown } | null;
    const memory = backend === null ? undefined : heapMemory(backend);
    if (memory !== undefined && isShared(memory)) setKernelThreads(new BrowserKernelThreads(memory, getThreadsCount()));
  },
  threads: () => getThreadsCount(),
});
