/**
 * Data movement on the native backend: Transpose, Slice, Unpack, SplitV and PadV2 as one strided
 * copy in the addon. The cpu backend's versions walk a TensorBuffer one element at a time (index
 * arithmetic and array spreads per element) whenever the copy is not contiguous: a CPC step on 100
 * series of 96 steps (tfjs-layers' GRU slices its gates and transposes its inputs) spent most of
 * its time there (BENCHMARKS.md, CPC on short series).
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, sizeOf, values, type TensorInfo } from './kernel-utils.js';

/** Row-major strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/**
 * The same copy over fewer axes: size-1 axes dropped, and an axis merged into the one before it
 * when both sides step over it contiguously. A transpose [2, 3, 4, 5] -> perm [0, 2, 3, 1] is a copy
 * of shape [2, 4, 5, 3] that this turns into [2, 20, 3].
 */
export function collapseStrides(shape: readonly number[], src: readonly number[], dst: readonly number[]): { shape: number[]; src: number[]; dst: number[] } {
  const out = { shape: [] as number[], src: [] as number[], dst: [] as number[] };
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const last = out.shape.length - 1;
    if (last >= 0 && out.src[last] === src[i]! * n && out.dst[last] === dst[i]! * n) {
      out.shape[last] *= n;
      out.src[last] = src[i]!;
      out.dst[last] = dst[i]!;
    } else {
      out.shape.push(n);
      out.src.push(src[i]!);
      out.dst.push(dst[i]!);
    }
  }
  return out.shape.length === 0 ? { shape: [1], src: [0], dst: [0] } : out;
}

/** A float32 tensor's values, when the kernel can run natively on it (rank 1..8). */
function input(backend: Parameters<Parameters<typeof nativeKernel>[1]>[1], x: TensorInfo): Float32Array | undefined {
  return x.shape.length === 0 || x.shape.length > 8 ? undefined : values(backend, x);
}

export function stridedCopyKernels(addon: NativeAddon): tf.KernelConfig[] {
  /** Copies the block of x at `begin` of `size` into a fresh contiguous output. */
  const sliceOf = (xv: Float32Array, shape: readonly number[], begin: readonly number[], size: number[]): Float32Array => {
    const out = alloc(sizeOf(size));
    if (out.length === 0) return out;
    const xs = contiguousStrides(shape);
    const c = collapseStrides(size, xs, contiguousStrides(size));
    addon.stridedCopy(xv, out, c.shape, c.src, begin.reduce((o, b, i) => o + b * xs[i]!, 0), c.dst, 0);
    return out;
  };

  const transpose = nativeKernel('Transpose', ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, TensorInfo>;
    const { perm } = attrs as unknown as { perm: number[] };
    const xv = input(backend, x!);
    if (xv === undefined || perm.length !== x!.shape.length) return undefined;
    const outShape = perm.map((p) => x!.shape[p]!);
    const out = alloc(sizeOf(outShape));
    if (out.length > 0) {
      const xs = contiguousStrides(x!.shape);
      const c = collapseStrides(outShape, perm.map((p) => xs[p]!), contiguousStrides(outShape));
      addon.stridedCopy(xv, out, c.shape, c.src, 0, c.dst, 0);
    }
    return output(backend, outShape, out);
  });

  const slice = nativeKernel('Slice', ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, TensorInfo>;
    const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const xv = input(backend, x!);
    if (xv === undefined) return undefined;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    tf.slice_util.assertParamsValid(x as tf.Tensor, b, s);
    return output(backend, s, sliceOf(xv, x!.shape, b, s));
  });

  const unpack = nativeKernel('Unpack', ({ inputs, attrs }, backend) => {
    const { value } = inputs as Record<string, TensorInfo>;
    const { axis } = attrs as unknown as { axis: number };
    const xv = input(backend, value!);
    if (xv === undefined) return undefined;
    const shape = value!.shape;
    const a = axis < 0 ? axis + shape.length : axis;
    const size = shape.map((d, i) => (i === a ? 1 : d));
    const outShape = shape.filter((_, i) => i !== a);
    return Array.from({ length: shape[a]! }, (_, i) => output(backend, outShape, sliceOf(xv, shape, shape.map((_, j) => (j === a ? i : 0)), size)));
  });

  const splitV = nativeKernel('SplitV', ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, TensorInfo>;
    const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const xv = input(backend, x!);
    if (xv === undefined) return undefined;
    const a = tf.util.parseAxisParam(axis, x!.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    let at = 0;
    return sizes.map((n) => {
      const begin = x!.shape.map((_, j) => (j === a ? at : 0));
      const size = x!.shape.map((d, j) => (j === a ? n : d));
      at += n;
      return output(backend, size, sliceOf(xv, x!.shape, begin, size));
    });
  });

  const padV2 = nativeKernel('PadV2', ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, TensorInfo>;
    const { paddings, constantValue } = attrs as unknown as { paddings: [number, number][]; constantValue: number };
    const xv = input(backend, x!);
    if (xv === undefined || paddings.length !== x!.shape.length) return undefined;
    const outShape = x!.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
    const out = alloc(sizeOf(outShape));
    out.fill(constantValue);
    if (xv.length > 0) {
      const os = contiguousStrides(outShape);
      const c = collapseStrides(x!.shape, contiguousStrides(x!.shape), os);
      addon.stridedCopy(xv, out, c.shape, c.src, 0, c.dst, paddings.reduce((o, p, i) => o + p[0] * os[i]!, 0));
    }
    return output(backend, outShape, out);
  });

  return [transpose, slice, unpack, splitV, padV2];
}
