/**
 * The wasm backend (XNNPACK, SIMD) with the training kernels it lacks as shipped.
 * Runs in Node and in browsers. Node's thread setup lives in `src/node/wasm-threads.ts`.
 */
import '@tensorflow/tfjs-backend-wasm';
import { registerBackendProvider } from '../backend.js';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

registerBackendProvider('wasm', {
  priority: 10,
  runtime: 'any',
  load: async () => {},
  threads: () => getThreadsCount(),
});
