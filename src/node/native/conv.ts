/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter on oneDNN (NHWC, HWIO).
 * Conv2DBackpropInput's output is deferred (deferred.ts): computed when first read, never if unread.
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

export function convKernels(addon: NativeAddon): tf.KernelConfig[] {
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
    const c = convInfo(x!.shape, filter!.shape, a);
    const p = convParams(c);
    if (p === undefined) return undefined;
    if (bv !== null && bv.length !== c.outChannels) return undefined;  // other broadcasts: cpu kernel
    const y = alloc(sizeOf(c.outShape));
    addon.conv2d(xv, wv, y, p, bv, act, a.leakyreluAlpha ?? 0.2);
    return output(backend, c.outShape, y);
  });

  return [
    forward('Conv2D', false),
    forward('FusedConv2D', true),
    nativeKernel('Conv2DBackpropInput', ({ inputs, attrs }, backend) => {
      const { dy, filter } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      if (a.dataFormat === 'NCHW') return undefined;
      checkRank4('Conv2DBackpropInput', 'dy', dy!);
      checkRank4('Conv2DBackpropInput', 'filter', filter!);
      const dyv = values(backend, dy!), wv = values(backend, filter!);
      if (dyv === undefined || wv === undefined) return undefined;
      const c = convInfo(a.inputShape!, filter!.shape, { ...a, dilations: 1 });
      const p = convParams(c);
      if (p === undefined) return undefined;
      if (c.outShape.some((d, i) => d !== dy!.shape[i])) shapeError('Conv2DBackpropInput', 'dy', `have shape [${c.outShape.join(', ')}]`, dy!.shape);
      const compute = (): Float32Array => {
        const dx = alloc(sizeOf(c.inShape));
        addon.conv2dBackpropInput(dyv, wv, dx, p);
        return dx;
      };
      // deferred (deferred.ts): tf.fused.conv2d's gradient computes the input's even when nothing reads it
      if (sizeOf(c.inShape) >= DEFER_MIN) return deferredTensor(backend, [...c.inShape], [dyv, wv], compute);
      return output(backend, [...c.inShape], compute());
    }),
    nativeKernel('Conv2DBackpropFilter', ({ inputs, attrs }, backend) => {
      const { x, dy } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      if (a.dataFormat === 'NCHW') return undefined;
      checkRank4('Conv2DBackpropFilter', 'x', x!);
      checkRank4('Conv2DBackpropFilter', 'dy', dy!);
      const xv = values(backend, x!), dyv = values(backend, dy!);
      if (xv === undefined || dyv === undefined) return undefined;
      const c = convInfo(x!.shape, a.filterShape!, { ...a, dilations: 1 });
      const p = convParams(c);
      if (p === undefined) return undefined;
      if (c.outShape.some((d, i) => d !== dy!.shape[i])) shapeError('Conv2DBackpropFilter', 'dy', `have shape [${c.outShape.join(', ')}]`, dy!.shape);
      const dw = alloc(sizeOf(c.filterShape));
      addon.conv2dBackpropFilter(xv, dyv, dw, p);
      return output(backend, [...c.filterShape], dw);
    }),
  ];
}
