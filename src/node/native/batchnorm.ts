/**
 * FusedBatchNorm forward over the last axis. Its gradient (tfjs-core's) runs on the native
 * Sub/Multiply/Rsqrt/Tile/Sum kernels.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, sizeOf, values } from './kernel-utils.js';

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
  })];
}
