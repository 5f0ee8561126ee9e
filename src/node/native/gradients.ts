/**
 * Gradients the native backend computes in fewer passes. tfjs-core's ReLU gradient is
 * `dy * step(x)`: two passes over the activation and one temporary tensor. On the native backend
 * the replacement runs one fused pass (`NativeReluGrad`); on every other backend it calls the
 * original gradient, so registering it changes nothing elsewhere.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, NATIVE, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';

/** Binary op code of the fused ReLU gradient in native/elementwise.cc. */
const RELU_GRAD = 7;

export function gradientKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [{
    ...nativeKernel('NativeReluGrad', ({ inputs }, backend) => {
      const { dy, x } = inputs as Record<string, tf.TensorInfo>;
      if (dy!.shape.join() !== x!.shape.join()) shapeError('NativeReluGrad', 'dy', `have the shape of x [${x!.shape.join(', ')}]`, dy!.shape);
      const dyv = values(backend, dy!), xv = values(backend, x!);
      if (dyv === undefined || xv === undefined) throw new Error('native NativeReluGrad: dy and x must be float32');
      const n = sizeOf(x!.shape);
      const out = alloc(n);
      if (n > 0) addon.binary(RELU_GRAD, dyv, xv, out, [n], [1], [1]);
      return output(backend, [...x!.shape], out);
    }, false),
  }];
}

let registered = false;

/** Replaces the ReLU gradient by one that uses `NativeReluGrad` when the active backend is native. */
export function registerNativeGradients(): void {
  if (registered) return;
  const original = tf.getGradient('Relu');
  if (original === undefined) return;  // gradients not loaded: nothing to improve
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (tf.getBackend() !== NATIVE || x.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel('NativeReluGrad', { dy: dy as tf.Tensor, x }) as tf.Tensor };
    },
  });
  registered = true;
}
