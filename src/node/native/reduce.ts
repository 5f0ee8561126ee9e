/** Sum, Mean, Max, Min over any set of adjacent axes (viewed as [outer, reduced, inner]). */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, sizeOf, values } from './kernel-utils.js';

const REDUCE: Record<string, { code: number; axisAttr: string }> = {
  Sum: { code: 0, axisAttr: 'axis' },
  Mean: { code: 1, axisAttr: 'axis' },
  Max: { code: 2, axisAttr: 'reductionIndices' },
  Min: { code: 3, axisAttr: 'axis' },
};

export function reduceKernels(addon: NativeAddon): tf.KernelConfig[] {
  return Object.entries(REDUCE).map(([name, r]) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as Record<string, unknown>;
    const xv = values(backend, x!);
    if (xv === undefined || x!.shape.length === 0) return undefined;
    const axes = [...new Set(tf.util.parseAxisParam(a[r.axisAttr] as number | number[], x!.shape))].sort((p, q) => p - q);
    if (axes.length === 0) return undefined;
    for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return undefined;  // not adjacent: cpu kernel
    const first = axes[0]!, last = axes[axes.length - 1]!;
    const shape = x!.shape;
    const outer = sizeOf(shape.slice(0, first)), reduced = sizeOf(shape.slice(first, last + 1)), inner = sizeOf(shape.slice(last + 1));
    if (reduced === 0) return undefined;
    const outShape = a.keepDims ? shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : shape.filter((_, i) => i < first || i > last);
    const out = alloc(outer * inner);
    if (out.length > 0) addon.reduce(r.code, xv, out, outer, reduced, inner);
    return output(backend, outShape, out);
  }));
}
