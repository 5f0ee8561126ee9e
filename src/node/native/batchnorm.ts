/**
 * FusedBatchNorm forward over the last axis, and `NativeBatchNormGrad`: all five of its
 * gradients in one pass over x and dy (used by gradients.ts in place of tfjs-core's gradient,
 * which takes about ten full-size passes with Tile, Sub, Mul and Sum). And the training-mode
 * kernels of src/models/batch-norm.ts: `ContrastiveBatchNormTrain` (batch statistics and y, two
 * passes over x) and `ContrastiveBatchNormTrainGrad` (dx, dgamma, dbeta, two passes).
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';
import { broadcastTerm, LAZY_MIN, lazyTensor } from './lazy-channel.js';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL } from '../../models/batch-norm.js';

export function batchNormKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel('FusedBatchNorm', ({ inputs, attrs }, backend) => {
    const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    if (x!.shape.length === 0) return undefined;
    const channels = x!.shape[x!.shape.length - 1]!;
    const xv = values(backend, x!), mv = values(backend, mean!), vv = values(backend, variance!);
    const ov = offset == null ? null : values(backend, offset), sv = scale == null ? null : values(backend, scale);
    if (xv === undefined || mv === undefined || vv === undefined || ov === undefined || sv === undefined) return undefined;
    // Parameters: one per channel or one in all; other lengths (cycled by the cpu kernel) go there.
    for (const p of [mv, vv, ov, sv]) if (p !== null && p.length !== 1 && p.length !== channels) return undefined;
    const n = sizeOf(x!.shape);
    const y = alloc(n);
    if (n > 0) addon.batchNorm(xv, mv, vv, ov, sv, y, n / channels, channels, varianceEpsilon ?? 0.001);
    return output(backend, [...x!.shape], y);
  }), nativeKernel('NativeBatchNormGrad', ({ inputs, attrs }, backend) => {
    const { x, dy, mean, variance, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const channels = x!.shape[x!.shape.length - 1]!;
    if (dy!.shape.join() !== x!.shape.join()) shapeError('NativeBatchNormGrad', 'dy', `have the shape of x [${x!.shape.join(', ')}]`, dy!.shape);
    for (const [name, t] of [['mean', mean], ['variance', variance], ['scale', scale]] as const) {
      if (t != null && sizeOf(t.shape) !== channels) shapeError('NativeBatchNormGrad', name, `have ${channels} elements`, t.shape);
    }
    const xv = values(backend, x!), dyv = values(backend, dy!), mv = values(backend, mean!), vv = values(backend, variance!);
    const sv = scale == null ? null : values(backend, scale);
    if (xv === undefined || dyv === undefined || mv === undefined || vv === undefined || sv === undefined) {
      throw new Error('native NativeBatchNormGrad: inputs must be float32');
    }
    const n = sizeOf(x!.shape), eps = varianceEpsilon ?? 0.001;
    // dx = dy * scale * rsqrt(variance + eps): from LAZY_MIN elements a lazy term over dy (lazy-channel.ts), not written here
    const lazy = n >= LAZY_MIN && channels > 0;
    const dx = lazy ? null : alloc(n);
    const per = [0, 1, 2, 3].map(() => new Float32Array(channels));
    addon.batchNormGrad(xv, dyv, mv, vv, sv, dx, per[0]!, per[1]!, per[2]!, per[3]!, n / channels, channels, eps);
    let dxInfo;
    if (dx !== null) dxInfo = output(backend, [...x!.shape], dx);
    else {
      const g = Float32Array.from(vv, (v, c) => Math.fround(1 / Math.sqrt(Math.fround(v + eps))) * (sv === null ? 1 : sv[c]!));
      dxInfo = lazyTensor(backend, [...x!.shape], { ...broadcastTerm(n / channels, new Float32Array(channels)), dense: dyv, gamma: g });
    }
    return [dxInfo, ...per.map((p, i) => output(backend, [...[mean, variance, scale ?? mean, mean][i]!.shape], p))];
  }, false), nativeKernel(BATCH_NORM_TRAIN_KERNEL, ({ inputs, attrs }, backend) => {
    const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const n = sizeOf(x!.shape), channels = x!.shape[x!.shape.length - 1] ?? 0;
    if (x!.shape.length < 2 || n === 0) shapeError(BATCH_NORM_TRAIN_KERNEL, 'x', 'have rank >= 2 and at least one element', x!.shape);
    for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
      if (t!.shape.length !== 1 || t!.shape[0] !== channels) shapeError(BATCH_NORM_TRAIN_KERNEL, name, `have shape [${channels}]`, t!.shape);
    }
    const xv = values(backend, x!), gv = values(backend, gamma!), bv = values(backend, beta!);
    if (xv === undefined || gv === undefined || bv === undefined) throw new Error(`native ${BATCH_NORM_TRAIN_KERNEL}: inputs must be float32`);
    const y = alloc(n), mean = new Float32Array(channels), variance = new Float32Array(channels);
    addon.batchNormTrain(xv, gv, bv, y, mean, variance, n / channels, channels, epsilon);
    return [output(backend, [...x!.shape], y), output(backend, [channels], mean), output(backend, [channels], variance)];
  }, false), nativeKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, ({ inputs, attrs }, backend) => {
    const { x, dy, mean, variance, gamma, dmean, dvariance } = inputs as Record<string, tf.TensorInfo>;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const n = sizeOf(x!.shape), channels = x!.shape[x!.shape.length - 1] ?? 0;
    if (x!.shape.length < 2 || n === 0) shapeError(BATCH_NORM_TRAIN_GRAD_KERNEL, 'x', 'have rank >= 2 and at least one element', x!.shape);
    if (dy!.shape.join() !== x!.shape.join()) shapeError(BATCH_NORM_TRAIN_GRAD_KERNEL, 'dy', `have the shape of x [${x!.shape.join(', ')}]`, dy!.shape);
    const per = { mean, variance, gamma, dmean, dvariance };
    for (const [name, t] of Object.entries(per)) {
      if (t!.shape.length !== 1 || t!.shape[0] !== channels) shapeError(BATCH_NORM_TRAIN_GRAD_KERNEL, name, `have shape [${channels}]`, t!.shape);
    }
    const v = [x, dy, mean, variance, gamma, dmean, dvariance].map((t) => values(backend, t!));
    if (v.some((a) => a === undefined)) throw new Error(`native ${BATCH_NORM_TRAIN_GRAD_KERNEL}: inputs must be float32`);
    const [xv, dyv, mv, vv, gv, dmv, dvv] = v as Float32Array[];
    const dx = alloc(n), dgamma = new Float32Array(channels), dbeta = new Float32Array(channels);
    addon.batchNormTrainGrad(xv!, dyv!, mv!, vv!, gv!, dmv!, dvv!, dx, dgamma, dbeta, n / channels, channels, epsilon);
    return [output(backend, [...x!.shape], dx), output(backend, [channels], dgamma), output(backend, [channels], dbeta)];
  }, false)];
}
