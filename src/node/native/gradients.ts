/**
 * Gradients the native backend computes in fewer passes. tfjs-core's ReLU gradient is
 * `dy * step(x)`: two passes over the activation and one temporary tensor; Square's is two
 * passes, Mean's two plus a tensor of ones, FusedBatchNorm's about ten. On the native backend the replacements run one fused pass
 * (`NativeReluGrad`, `NativeSquareGrad`, `NativeMeanGrad`, `NativeBatchNormGrad`); Mean's over every
 * axis but the last is a lazy broadcast, and Square's of a lazy term times it another lazy term
 * (lazy-channel.ts: tf.moments' gradient without full-size passes). On every other backend, or
 * for inputs the native kernels do not take, they call the original gradient, so registering them
 * changes nothing elsewhere.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, NATIVE, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';
import { broadcastStrides, collapse } from './elementwise.js';
import { deferredTag } from './deferred.js';
import { broadcastTerm, isBroadcast, LAZY_MIN, lazyTensor, pendingTerm, scaleTerm, termOf } from './lazy-channel.js';

/** Binary op codes in native/elementwise.cc. */
const MULTIPLY = 2, RELU_GRAD = 7, SQUARE_GRAD = 8;

export function gradientKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [{
    ...nativeKernel('NativeReluGrad', ({ inputs }, backend) => {
      const { dy, x } = inputs as Record<string, tf.TensorInfo>;
      if (dy!.shape.join() !== x!.shape.join()) shapeError('NativeReluGrad', 'dy', `have the shape of x [${x!.shape.join(', ')}]`, dy!.shape);
      const n = sizeOf(x!.shape);
      const tag = deferredTag(backend, dy!);
      if (tag?.op === 'clipGradOfRelu' && values(backend, x!) === tag.x) {
        // the gradient of clip(relu(x), lo <= 0, hi) in one pass: dy where 0 < x <= hi, NaN at NaN
        // (the two kernels' result: the clip's 0 there, times the Relu's NaN); the clip's own output is never written
        const out = alloc(n);
        addon.clipGrad(tag.dy, tag.x, out, n, 0, tag.hi, true);
        return output(backend, [...x!.shape], out);
      }
      const dyv = values(backend, dy!), xv = values(backend, x!);
      if (dyv === undefined || xv === undefined) throw new Error('native NativeReluGrad: dy and x must be float32');
      const out = alloc(n);
      if (n > 0) addon.binary(RELU_GRAD, dyv, xv, out, [n], [1], [1]);
      return output(backend, [...x!.shape], out);
    }, false),
  }, nativeKernel('NativeSquareGrad', ({ inputs }, backend) => {
    const { dy, x } = inputs as Record<string, tf.TensorInfo>;
    if (dy!.shape.join() !== x!.shape.join()) shapeError('NativeSquareGrad', 'dy', `have the shape of x [${x!.shape.join(', ')}]`, dy!.shape);
    // 2 * x * dy where one side is a lazy broadcast (Mean's gradient): a lazy term over the other
    for (const [p, q] of [[dy!, x!], [x!, dy!]]) {
      const bp = pendingTerm(backend, p);
      if (bp === undefined || !isBroadcast(bp)) continue;
      const tq = termOf(backend, q);
      const r = tq === undefined ? undefined : scaleTerm(tq, bp.beta.map((v) => 2 * v));
      if (r !== undefined) return lazyTensor(backend, [...x!.shape], r);
    }
    const dyv = values(backend, dy!), xv = values(backend, x!);
    if (dyv === undefined || xv === undefined) throw new Error('native NativeSquareGrad: dy and x must be float32');
    const n = sizeOf(x!.shape);
    const out = alloc(n);
    if (n > 0) addon.binary(SQUARE_GRAD, dyv, xv, out, [n], [1], [1]);
    return output(backend, [...x!.shape], out);
  }, false), nativeKernel('NativeMeanGrad', ({ inputs, attrs }, backend) => {
    // dy (the mean, keep-dims shape `expanded`) broadcast to `shape` and divided by the reduced size, in one pass.
    const { dy } = inputs as Record<string, tf.TensorInfo>;
    const { shape, expanded, reduceSize } = attrs as unknown as { shape: number[]; expanded: number[]; reduceSize: number };
    if (sizeOf(dy!.shape) !== sizeOf(expanded) || expanded.length !== shape.length) shapeError('NativeMeanGrad', 'dy', `have ${sizeOf(expanded)} elements`, dy!.shape);
    const dyv = values(backend, dy!);
    if (dyv === undefined) throw new Error('native NativeMeanGrad: dy must be float32');
    const n = sizeOf(shape);
    const C = shape[shape.length - 1]!;
    if (n >= LAZY_MIN && C > 0 && expanded.every((d, i) => d === (i === shape.length - 1 ? C : 1))) {
      // reduced over every axis but the last: a lazy per-channel broadcast (lazy-channel.ts)
      return lazyTensor(backend, [...shape], broadcastTerm(n / C, dyv.map((v) => v / reduceSize)));
    }
    const out = alloc(n);
    if (n > 0) {
      const c = collapse(shape, broadcastStrides(expanded, shape), shape.map(() => 0));
      addon.binary(MULTIPLY, dyv, Float32Array.of(1 / reduceSize), out, c.shape, c.sa, c.sb);
    }
    return output(backend, [...shape], out);
  }, false)];
}

let registered = false;

/** Whether `NativeBatchNormGrad` applies: float32, per-channel parameters of the last axis. */
function batchNormGradApplies(x: tf.Tensor, dy: tf.Tensor, params: (tf.Tensor | undefined)[]): boolean {
  if (tf.getBackend() !== NATIVE || x.rank === 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return false;
  const c = x.shape[x.rank - 1]!;
  return params.every((p) => p === undefined || (p.dtype === 'float32' && p.rank === 1 && p.size === c));
}

/** Replaces the ReLU, Square, Mean and FusedBatchNorm gradients by fused native ones when the active backend is native. */
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
  const square = tf.getGradient('Square');
  if (square !== undefined) {
    tf.registerGradient({
      kernelName: 'Square',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const x = saved[0]!;
        if (tf.getBackend() !== NATIVE || x.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32') return square.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel('NativeSquareGrad', { dy: dy as tf.Tensor, x }) as tf.Tensor };
      },
    });
  }
  const mean = tf.getGradient('Mean');
  if (mean !== undefined) {
    tf.registerGradient({
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const x = saved[0]!;
        if (tf.getBackend() !== NATIVE || x.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32') return mean.gradFunc(dy, saved, attrs);
        const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
        const expanded = x.shape.slice();
        for (const a of axes) expanded[a] = 1;
        const reduceSize = axes.reduce((p, a) => p * x.shape[a]!, 1);
        return { x: () => tf.engine().runKernel('NativeMeanGrad', { dy: dy as tf.Tensor }, { shape: x.shape, expanded, reduceSize } as unknown as tf.NamedAttrMap) as tf.Tensor };
      },
    });
  }
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
