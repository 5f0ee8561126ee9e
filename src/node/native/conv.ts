/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter on oneDNN (NHWC, HWIO), and the
 * kernel family both these and the depthwise ones (depthwise.ts) are made from. The input
 * gradient's output is deferred (deferred.ts): computed when first read, never if unread.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { activationCode } from './activation.js';
import { alloc, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';
import { deferredTensor, DEFER_MIN } from './deferred.js';

type ConvInfo = tf.backend_util.Conv2DInfo;

/** The addon's parameter list, or undefined when oneDNN cannot express this geometry. */
export function convParams(c: ConvInfo): number[] | undefined {
  const p = c.padInfo;
  if (c.dataFormat !== 'channelsLast' || c.inChannels !== c.filterShape[2]) return undefined;
  if (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0) return undefined;
  const keh = (c.filterHeight - 1) * c.dilationHeight + 1;
  const kew = (c.filterWidth - 1) * c.dilationWidth + 1;
  // oneDNN's rule for the output size; 'ceil' rounding can break it.
  if (c.inHeight + p.top + p.bottom < keh || c.inWidth + p.left + p.right < kew) return undefined;
  if (Math.floor((c.inHeight + p.top + p.bottom - keh) / c.strideHeight) + 1 !== c.outHeight) return undefined;
  if (Math.floor((c.inWidth + p.left + p.right - kew) / c.strideWidth) + 1 !== c.outWidth) return undefined;
  if (c.batchSize === 0 || c.outHeight <= 0 || c.outWidth <= 0) return undefined;
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.outChannels, c.outHeight, c.outWidth,
    c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, p.top, p.left, p.bottom, p.right];
}

/** The attributes of tfjs's convolution kernels (Conv2D and DepthwiseConv2dNative families) that these kernels read. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

/** tfjs's geometry of a convolution (`depthwise`: filters [KH, KW, C, M]). */
export function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs, depthwise = false): ConvInfo {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, depthwise, tf.backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC'));
}

export function checkRank4(kernel: string, arg: string, t: tf.TensorInfo): void {
  if (t.shape.length !== 4) shapeError(kernel, arg, 'have rank 4', t.shape);
}

/** One family of convolution kernels: tfjs's kernel names, the addon's entry points and its geometry. */
export interface ConvFamily {
  forward: string;
  fused: string;
  backpropInput: string;
  backpropFilter: string;
  /** Filters [KH, KW, C, M] (depthwise) instead of [KH, KW, C, O]. */
  depthwise: boolean;
  /** The addon's parameter list for this geometry, or undefined (the cpu kernel runs). */
  params(c: ConvInfo): number[] | undefined;
  run: Pick<NativeAddon, 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter'>;
}

/**
 * The forward (plain and fused with bias and activation) and both gradients of one family. The
 * input gradient's output is deferred (deferred.ts): tfjs computes it for the first layer too,
 * where nothing reads it. Geometry oneDNN cannot express, NCHW and PReLU return undefined (cpu).
 */
export function convFamilyKernels(f: ConvFamily): tf.KernelConfig[] {
  // tfjs's Conv2D gradients carry no dilations (its conv2d gradient needs 1); the depthwise ones do
  const geometry = (kernel: string, xShape: number[], filter: tf.TensorInfo | number[], a: ConvAttrs, gradient: boolean) => {
    const filterShape = Array.isArray(filter) ? filter : filter.shape;
    if (f.depthwise && filterShape[2] !== xShape[3]) shapeError(kernel, 'filter', `have ${xShape[3]} input channels (x's last axis)`, filterShape);
    const c = convInfo(xShape, filterShape, gradient && !f.depthwise ? { ...a, dilations: 1 } : a, f.depthwise);
    return { c, p: f.params(c) };
  };
  const checkDy = (kernel: string, c: ConvInfo, dy: tf.TensorInfo): void => {
    if (c.outShape.some((d, i) => d !== dy.shape[i])) shapeError(kernel, 'dy', `have shape [${c.outShape.join(', ')}]`, dy.shape);
  };
  const forward = (name: string, fused: boolean) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const a = attrs as unknown as ConvAttrs;
    if (a.dataFormat === 'NCHW' || preluActivationWeights != null) return undefined;
    checkRank4(name, 'x', x!);
    checkRank4(name, 'filter', filter!);
    const act = activationCode(fused ? a.activation : 'linear');
    const xv = values(backend, x!), wv = values(backend, filter!);
    const bv = bias == null ? null : values(backend, bias);
    if (act === undefined || xv === undefined || wv === undefined || bv === undefined) return undefined;
    const { c, p } = geometry(name, x!.shape, filter!, a, false);
    if (p === undefined) return undefined;
    if (bv !== null && bv.length !== c.outChannels) return undefined; // other broadcasts: cpu kernel
    const y = alloc(sizeOf(c.outShape));
    f.run.conv2d(xv, wv, y, p, bv, act, a.leakyreluAlpha ?? 0.2);
    return output(backend, c.outShape, y);
  });

  return [
    forward(f.forward, false),
    forward(f.fused, true),
    nativeKernel(f.backpropInput, ({ inputs, attrs }, backend) => {
      const { dy, filter } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      if (a.dataFormat === 'NCHW') return undefined;
      checkRank4(f.backpropInput, 'dy', dy!);
      checkRank4(f.backpropInput, 'filter', filter!);
      const dyv = values(backend, dy!), wv = values(backend, filter!);
      if (dyv === undefined || wv === undefined) return undefined;
      const { c, p } = geometry(f.backpropInput, a.inputShape!, filter!, a, true);
      if (p === undefined) return undefined;
      checkDy(f.backpropInput, c, dy!);
      const compute = (): Float32Array => {
        const dx = alloc(sizeOf(c.inShape));
        f.run.conv2dBackpropInput(dyv, wv, dx, p);
        return dx;
      };
      if (sizeOf(c.inShape) >= DEFER_MIN) return deferredTensor(backend, [...c.inShape], [dyv, wv], compute);
      return output(backend, [...c.inShape], compute());
    }),
    nativeKernel(f.backpropFilter, ({ inputs, attrs }, backend) => {
      const { x, dy } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      if (a.dataFormat === 'NCHW') return undefined;
      checkRank4(f.backpropFilter, 'x', x!);
      checkRank4(f.backpropFilter, 'dy', dy!);
      const xv = values(backend, x!), dyv = values(backend, dy!);
      if (xv === undefined || dyv === undefined) return undefined;
      const { c, p } = geometry(f.backpropFilter, x!.shape, a.filterShape!, a, true);
      if (p === undefined) return undefined;
      checkDy(f.backpropFilter, c, dy!);
      const dw = alloc(sizeOf(c.filterShape));
      f.run.conv2dBackpropFilter(xv, dyv, dw, p);
      return output(backend, [...c.filterShape], dw);
    }),
  ];
}

/** Conv2D, FusedConv2D and the two gradients. */
export function convKernels(addon: NativeAddon): tf.KernelConfig[] {
  return convFamilyKernels({
    forward: 'Conv2D',
    fused: 'FusedConv2D',
    backpropInput: 'Conv2DBackpropInput',
    backpropFilter: 'Conv2DBackpropFilter',
    depthwise: false,
    params: convParams,
    run: addon,
  });
}
