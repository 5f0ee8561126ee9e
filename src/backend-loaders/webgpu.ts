/**
 * The WebGPU backend for browsers (@tensorflow/tfjs-backend-webgpu 4.22.0, a dependency of the
 * library): first choice where `navigator.gpu` gives a hardware adapter. It loads the package
 * only when tried, and fails with a one-line reason where the browser has no `navigator.gpu`,
 * gives no adapter (headless Chromium with --disable-gpu), or only a software adapter
 * (SwiftShader's fallback adapter: wasm trains faster there). A page that imports the package
 * itself gets its backend factory registered at load, wherever `navigator.gpu` exists.
 */
import * as tf from '../tf.js';
import { registerBackendProvider } from '../backend.js';

/** The parts of WebGPU's adapter this module reads (lib.dom of TypeScript 5.9 has no WebGPU types). */
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string };
}

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
}

let allowSoftware = false;

/** Lets `webgpu` load on a software adapter too (tests of the WebGPU path on machines without a GPU). */
export function allowSoftwareWebgpu(allow = true): void {
  allowSoftware = allow;
}

/** The adapter's name when it is a software one (SwiftShader, a fallback adapter), else null. */
export function softwareAdapterName(adapter: GpuAdapterLike): string | null {
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter((s) => s !== undefined && s !== '').join(' ');
  if (adapter.isFallbackAdapter === true) return name === '' ? 'fallback adapter' : name;
  return /swiftshader|llvmpipe|lavapipe|softpipe|software/i.test(name) ? name : null;
}

registerBackendProvider('webgpu', {
  priority: 40,
  runtime: 'browser',
  load: async () => {
    const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
    if (gpu === undefined) throw new Error('this browser has no navigator.gpu');
    const adapter = await gpu.requestAdapter();
    if (adapter === null) throw new Error('navigator.gpu gives no adapter');
    const software = softwareAdapterName(adapter);
    if (software !== null && !allowSoftware) throw new Error(`WebGPU is software-rendered here (${software}); wasm is faster`);
    await import('@tensorflow/tfjs-backend-webgpu'); // registers the 'webgpu' factory (navigator.gpu exists)
    if (tf.findBackendFactory('webgpu') === null) throw new Error('@tensorflow/tfjs-backend-webgpu did not register');
  },
  threads: () => 1,
});
