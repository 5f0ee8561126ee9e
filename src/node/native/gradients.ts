/**
 * Gradients the native backend computes in fewer passes. tfjs-core's ReLU gradient is
 * `dy * step(x)`: two passes over the activation and one temporary tensor; its FusedBatchNorm
 * gradient takes about ten. On the native backend the replacements run one fused pass
 * (`NativeReluGrad`, `NativeBatchNormGrad`); on every other backend, or for inputs the native
 * kernels do not take, they call the original gradient, so registering them changes nothing
 * elsewhere.
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

/** Whether `NativeBatchNormGrad` applies: float32, per-channel parameters of the last axis. */
function batchNormGradApplies(x: tf.Tensor, dy: tf.Tensor, params: (tf.Tensor | undefined)[]): boolean {
  if (tf.getBackend() !== NATIVE || x.rank === 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return false;
  const c = x.shape[x.rank - 1]!;
  return params.every((p) => p === undefined || (p.dtype === 'float32' && p.rank === 1 && p.size === c));
}

/** Replaces the ReLU and FusedBatchNorm gradients by fused native ones when the active backend is native. */
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
  const batchNorm = tf.getGradient('FusedBatchNorm');
  if (batchNorm !== undefined) {
    tf.registerGradient({
      kernelName: 'FusedBatchNorm',
      inputsToSave: ['x', 'mean', 'variance', 'scale'],
      gradFunc: (dy, saved, attrs) => {
        const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
        if (!batchNormGradApplies(x, dy as tf.Tensor, [mean, variance, scale])) return batchNorm.gradFunc(dy, saved, attrs);
        const [dx, dmean, dvariance, dscale, doffset] = tf.engine().runKernel('NativeBatchNormGrad',
          { x, dy: dy as tf.Tensor, mean, variance, ...(scale === undefined ? {} : { scale }) }, attrs as tf.NamedAttrMap) as tf.Tensor[];
        return { x: () => dx!, mean: () => dmean!, variance: () => dvariance!, scale: () => dscale!, offset: () => doffset! };
      },
    });
  }
  registered = true;
}
