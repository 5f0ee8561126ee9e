/**
 * The WebGL backend for browsers (@tensorflow/tfjs-backend-webgl): tried after WebGPU, before
 * wasm. Import this module in a browser bundle to make it available to `initBackend()`; it loads
 * the package only when tried, and fails with a one-line reason where the page has no WebGL
 * context, or where WebGL is only a software rasteriser (headless Chromium with --disable-gpu
 * gets SwiftShader): wasm trains faster there.
 */
import * as tf from '../tf.js';
import { registerBackendProvider } from '../backend.js';

/** The WebGL renderer's name ('' when the browser hides it), or null without WebGL. */
function webglRenderer(): string | null {
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(1, 1)
      : typeof document !== 'undefined'
        ? document.createElement('canvas')
        : undefined;
  if (canvas === undefined) return null;
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (gl === null) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = info === null ? '' : String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

let allowSoftware = false;

/** Lets `webgl` load on a software rasteriser too (tests of the WebGL path on machines without a GPU). */
export function allowSoftwareWebgl(allow = true): void {
  allowSoftware = allow;
}

registerBackendProvider('webgl', {
  priority: 30,
  runtime: 'browser',
  load: async () => {
    const renderer = webglRenderer();
    if (renderer === null) throw new Error('this browser gives no WebGL context');
    // a software rasteriser (SwiftShader, llvmpipe: headless browsers, no GPU) trains ~20x slower than wasm
    if (!allowSoftware && /swiftshader|llvmpipe|softpipe|software/i.test(renderer))
      throw new Error(`WebGL is software-rendered here (${renderer}); wasm is faster`);
    await import('@tensorflow/tfjs-backend-webgl');
    if (tf.findBackendFactory('webgl') === null) throw new Error('@tensorflow/tfjs-backend-webgl did not register');
  },
  threads: () => 1,
});
