/**
 * The WebGPU backend for browsers: first choice where `navigator.gpu` gives an adapter. The
 * library does not ship @tensorflow/tfjs-backend-webgpu; a page that imports it (version 4.22.0,
 * like the rest of tfjs) before `initBackend()` gets it, other pages fall through to WebGL.
 */
import * as tf from '../tf.js';
import { registerBackendProvider } from '../backend.js';

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

registerBackendProvider('webgpu', {
  priority: 40,
  runtime: 'browser',
  load: async () => {
    const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
    if (gpu === undefined) throw new Error('this browser has no navigator.gpu');
    if ((await gpu.requestAdapter()) === null) throw new Error('navigator.gpu gives no adapter');
    if (tf.findBackendFactory('webgpu') === null) throw new Error('@tensorflow/tfjs-backend-webgpu is not imported by this page');
  },
  threads: () => 1,
});
