/**
 * DepthwiseConv2dNative, FusedDepthwiseConv2D and the two gradients
 * (DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropFilter) on oneDNN, as a grouped
 * convolution with one group per input channel (native/conv.cc; NHWC, filters [KH, KW, C, M]).
 * The cpu backend's versions are scalar JavaScript loops: a MobileNet-style step spends most of its
 * time in them.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { activationCode } from './activation.js';
import { checkRank4, convInfo, convParams, type ConvAttrs } from './conv.js';
import { alloc, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';

type ConvInfo = tf.backend_util.Conv2DInfo;

/** The addon's parameters ([..., C, KH, KW, M, ...]: the channel multiplier in conv's output-channel slot), or undefined. */
export function depthwiseParams(c: ConvInfo): number[] | undefined {
  const p = convParams(c);
  if (p === undefined || c.outChannels !== c.inChannels * c.filterShape[3]) return undefined;
  p[6] = c.filterShape[3];
  return p;
}

export function depthwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward = (name: string, fused: boolean) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const a = attrs as unknown as ConvAttrs;
    if (a.dataFormat === 'NCHW' || preluActivationWeights != null) return undefined;
    checkRank4(name, 'x', x!);
    checkRank4(name, 'filter', filter!);
    if (filter!.shape[2] !== x!.shape[3]) shapeError(name, 'filter', `have ${x!.shape[3]} input channels (x's last axis)`, filter!.shape);
    const act = activationCode(fused ? a.activation : 'linear');
    const xv = values(backend, x!), wv = values(backend, filter!);
    const bv = bias == null ? null : values(backend, bias);
    if (act === undefined || xv === undefined || wv === undefined || bv === undefined) return undefined;
    const c = convInfo(x!.shape, filter!.shape, a, true);
    const p = depthwiseParams(c);
    if (p === undefined) return undefined;
    if (bv !== null && bv.length !== c.outChannels) return undefined; // other broadcasts: cpu kernel
    const y = alloc(sizeOf(c.outShape));
    addon.depthwiseConv2d(xv, wv, y, p, bv, act, a.leakyreluAlpha ?? 0.2);
    return output(backend, c.outShape, y);
  });

  return [
    forward('DepthwiseConv2dNative', false),
    forward('FusedDepthwiseConv2D', true),
    nativeKernel('DepthwiseConv2dNativeBackpropInput', ({ inputs, attrs }, backend) => {
      const { dy, filter } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      checkRank4('DepthwiseConv2dNativeBackpropInput', 'dy', dy!);
      checkRank4('DepthwiseConv2dNativeBackpropInput', 'filter', filter!);
      const dyv = values(backend, dy!), wv = values(backend, filter!);
      if (dyv === undefined || wv === undefined) return undefined;
      const c = convInfo(a.inputShape!, filter!.shape, a, true);
      const p = depthwiseParams(c);
      if (p === undefined) return undefined;
      if (c.outShape.some((d, i) => d !== dy!.shape[i])) shapeError('DepthwiseConv2dNativeBackpropInput', 'dy', `have shape [${c.outShape.join(', ')}]`, dy!.shape);
      const dx = alloc(sizeOf(c.inShape));
      addon.depthwiseConv2dBackpropInput(dyv, wv, dx, p);
      return output(backend, [...c.inShape], dx);
    }),
    nativeKernel('DepthwiseConv2dNativeBackpropFilter', ({ inputs, attrs }, backend) => {
      const { x, dy } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      checkRank4('DepthwiseConv2dNativeBackpropFilter', 'x', x!);
      checkRank4('DepthwiseConv2dNativeBackpropFilter', 'dy', dy!);
      const xv = values(backend, x!), dyv = values(backend, dy!);
      if (xv === undefined || dyv === undefined) return undefined;
      const c = convInfo(x!.shape, a.filterShape!, a, true);
      const p = depthwiseParams(c);
      if (p === undefined) return undefined;
      if (c.outShape.some((d, i) => d !== dy!.shape[i])) shapeError('DepthwiseConv2dNativeBackpropFilter', 'dy', `have shape [${c.outShape.join(', ')}]`, dy!.shape);
      const dw = alloc(sizeOf(c.filterShape));
      addon.depthwiseConv2dBackpropFilter(xv, dyv, dw, p);
      return output(backend, [...c.filterShape], dw);
    }),
  ];
}
