/**
 * ClipByValue in one native pass, and the gradients of ClipByValue and Relu6 as one fused kernel
 * (`NativeClipGrad`: dy where min <= x <= max, else 0; Relu6's: 0 < x <= 6, NaN at NaN as tfjs's). tfjs-core's gradients build bool tensors
 * with GreaterEqual, LessEqual, LogicalAnd, ZerosLike and Select (or Step and Multiply): four or
 * five full-size passes, most of them the cpu backend's JavaScript. tfjs-layers' ReLU with
 * `maxValue` (Keras' ReLU(6.) of MobileNet) is Relu then ClipByValue. On every other backend, or
 * for inputs the native kernel does not take, the gradients call the original ones.
 */
import * as tf from '../../tf.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { DEFER_MIN, deferredTag, deferredTensor } from './deferred.js';
import { alloc, NATIVE, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';

/** When `x` is a deferred Relu output not computed yet (deferred.ts) and clipping it to [lo, hi] reads its input instead: that input. */
function fusesRelu(backend: MathBackendCPU, x: tf.TensorInfo, lo: number, hi: number): Float32Array | undefined {
  const tag = deferredTag(backend, x);
  return tag?.op === 'relu' && hi >= 0 && lo <= hi ? tag.x : undefined;
}

export function clipKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    nativeKernel('ClipByValue', ({ inputs, attrs }, backend) => {
      const { x } = inputs as Record<string, tf.TensorInfo>;
      const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
      const n = sizeOf(x!.shape);
      const relu = fusesRelu(backend, x!, clipValueMin, clipValueMax);
      if (relu !== undefined) {
        // clip(relu(z), lo, hi) in one pass over z: the Relu output is never written
        const y = alloc(n);
        addon.clip(relu, y, n, clipValueMin, clipValueMax, true);
        return output(backend, [...x!.shape], y);
      }
      const xv = values(backend, x!);
      if (xv === undefined) return undefined;
      const y = alloc(n);
      if (n > 0) addon.clip(xv, y, n, clipValueMin, clipValueMax);
      return output(backend, [...x!.shape], y);
    }),
    nativeKernel('NativeClipGrad', ({ inputs, attrs }, backend) => {
      const { dy, x } = inputs as Record<string, tf.TensorInfo>;
      const { min, max, relu6 } = attrs as unknown as { min: number; max: number; relu6: boolean };
      if (dy!.shape.join() !== x!.shape.join()) shapeError('NativeClipGrad', 'dy', `have the shape of x [${x!.shape.join(', ')}]`, dy!.shape);
      const dyv = values(backend, dy!);
      const z = relu6 ? undefined : fusesRelu(backend, x!, min, max);
      const n = sizeOf(x!.shape);
      if (z !== undefined && dyv !== undefined) {
        // x = relu(z), unwritten: lo <= relu(z) <= hi is z <= hi when lo <= 0, else lo <= z <= hi (false at NaN either way)
        const lo = min <= 0 ? -Infinity : min;
        const compute = (): Float32Array => {
          const dx = alloc(n);
          addon.clipGrad(dyv, z, dx, n, lo, max, false);
          return dx;
        };
        // lo <= 0 (ReLU6): deferred, tagged, so that the Relu's gradient next reads dy and z in one
        // pass (NativeReluGrad, gradients.ts) and this output is never written
        if (min <= 0 && n >= DEFER_MIN) return deferredTensor(backend, [...x!.shape], [dyv, z], compute, { op: 'clipGradOfRelu', dy: dyv, x: z, hi: max });
        return output(backend, [...x!.shape], compute());
      }
      const xv = values(backend, x!);
      if (dyv === undefined || xv === undefined) throw new Error('native NativeClipGrad: dy and x must be float32');
      const dx = alloc(n);
      if (n > 0) addon.clipGrad(dyv, xv, dx, n, min, max, relu6);
      return output(backend, [...x!.shape], dx);
    }, false),
  ];
}

let registered = false;

const applies = (x: tf.Tensor, dy: tf.Tensor): boolean => tf.getBackend() === NATIVE && x.dtype === 'float32' && dy.dtype === 'float32';

/** Replaces the ClipByValue and Relu6 gradients by `NativeClipGrad` when the active backend is native. */
export function registerClipGradients(): void {
  if (registered) return;
  const clip = tf.getGradient('ClipByValue');
  const relu6 = tf.getGradient('Relu6');
  if (clip === undefined || relu6 === undefined) return; // gradients not loaded: nothing to improve
  const grad = (dy: tf.Tensor, x: tf.Tensor, min: number, max: number, relu6: boolean): tf.Tensor =>
    tf.engine().runKernel('NativeClipGrad', { dy, x }, { min, max, relu6 } as unknown as tf.NamedAttrMap) as tf.Tensor;
  tf.registerGradient({
    kernelName: 'ClipByValue',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (!applies(x, dy as tf.Tensor)) return clip.gradFunc(dy, saved, attrs);
      const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
      return { x: () => grad(dy as tf.Tensor, x, clipValueMin, clipValueMax, false) };
    },
  });
  tf.registerGradient({
    kernelName: 'Relu6',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (!applies(x, dy as tf.Tensor)) return relu6.gradFunc(dy, saved, attrs);
      return { x: () => grad(dy as tf.Tensor, x, 0, 6, true) }; // tfjs: dy * (x <= 6) * step(x)
    },
  });
  registered = true;
}
