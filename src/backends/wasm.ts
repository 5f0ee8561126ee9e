/**
 * The wasm backend (XNNPACK, SIMD) with the training kernels it lacks as shipped
 * (see `src/backends/wasm/register.ts`). Runs in Node and in browsers. Node's thread setup lives
 * in `src/node/wasm-threads.ts`, which replaces this provider's `load` in Node.
 */
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerBackendProvider } from '../backend.js';
import { registerWasmTrainingKernels } from './wasm/register.js';

registerWasmTrainingKernels();

registerBackendProvider('wasm', {
  priority: 10,
  runtime: 'any',
  load: async () => {},
  threads: () => getThreadsCount(),
});
