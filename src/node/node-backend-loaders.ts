/**
 * Node-only backends: `tensorflow` (@tensorflow/tfjs-node, optional dependency) and `native`
 * (the project's oneDNN addon). Imported by `initBackend` in Node only.
 */
import { availableParallelism } from 'node:os';
import { registerBackendProvider } from '../backend.js';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initWasmWithThreads } from './wasm-threads.js';
import * as nativeModule from './native/addon.js';

registerBackendProvider('tensorflow', {
  priority: 30,
  runtime: 'node',
  load: async () => {
    const pkg = '@tensorflow/tfjs-node';
    try {
      await import(pkg);
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new Error(code === 'ERR_MODULE_NOT_FOUND' ? 'not installed (optional @tensorflow/tfjs-node)' : (err as Error).message);
    }
  },
  threads: () => availableParallelism(),
});

// native: the project's oneDNN + OpenBLAS addon (optional; see src/node/native/).
registerBackendProvider('native', {
  priority: 20,
  runtime: 'node',
  load: async () => {
    const { registerNativeBackend } = await import('./native/native-backend.js');
    registerNativeBackend();
  },
  threads: () => {
    return nativeModule.loadAddon()?.threads() ?? 1;
  },
});

// wasm in Node: the kernels of src/backend-loaders/wasm.ts, and a thread pool on every core
// (tfjs-backend-wasm keeps Node single-threaded; see src/node/wasm-threads.ts).
registerBackendProvider('wasm', {
  priority: 10,
  runtime: 'any',
  load: async () => {
    await import('../backend-loaders/wasm.js');
    await initWasmWithThreads();
  },
  threads: () => getThreadsCount(),
});
