/**
 * Sum, Mean, Max, Min over any set of adjacent axes (viewed as [outer, reduced, inner]); Sum and Mean
 * of a lazy per-channel term over its leading axes without evaluating it (lazy-channel.ts).
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, sizeOf, values } from './kernel-utils.js';
import { LAZY_MIN, pendingTerm, rememberChannelSums, termSums } from './lazy-channel.js';

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
    if (x!.dtype !== 'float32' || x!.shape.length === 0) return undefined;
    const axes = [...new Set(tf.util.parseAxisParam(a[r.axisAttr] as number | number[], x!.shape))].sort((p, q) => p - q);
    if (axes.length === 0) return undefined;
    const term = r.code <= 1 && axes.length === x!.shape.length - 1 && axes.every((ax, i) => ax === i) ? pendingTerm(backend, x!) : undefined;
    if (term !== undefined) {
      // Sum or Mean of a lazy tensor over every axis but the last: one read of its base (lazy-channel.ts)
      const sums = termSums(term, r.code === 1 ? 1 / term.rows : 1);
      return output(backend, a.keepDims ? x!.shape.map((d, i) => (i < x!.shape.length - 1 ? 1 : d)) : [term.C], sums);
    }
    const xv = values(backend, x!);
    if (xv === undefined) return undefined;
    for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return undefined;  // not adjacent: cpu kernel
    const first = axes[0]!, last = axes[axes.length - 1]!;
    const shape = x!.shape;
    const outer = sizeOf(shape.slice(0, first)), reduced = sizeOf(shape.slice(first, last + 1)), inner = sizeOf(shape.slice(last + 1));
    if (reduced === 0) return undefined;
    const outShape = a.keepDims ? shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : shape.filter((_, i) => i < first || i > last);
    const out = alloc(outer * inner);
    if (out.length > 0) addon.reduce(r.code, xv, out, outer, reduced, inner);
    if (r.code <= 1 && outer === 1 && last === shape.length - 2 && xv.length >= LAZY_MIN) {
      // over every axis but the last: kept for Sub's gradient of tf.moments (lazy-channel.ts termSums)
      rememberChannelSums(x!.dataId, reduced, Float64Array.from(out, (v) => (r.code === 1 ? v * reduced : v)));
    }
    return output(backend, outShape, out);
  }));
}
