/**
 * DepthwiseConv2dNative, FusedDepthwiseConv2D and the two gradients
 * (DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropFilter) on oneDNN, as a grouped
 * convolution with one group per input channel (native/conv.cc; NHWC, filters [KH, KW, C, M]).
 * The cpu backend's versions are scalar JavaScript loops: a MobileNet-style step spends most of its
 * time in them.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { convFamilyKernels, convParams } from './conv.js';

type ConvInfo = tf.backend_util.Conv2DInfo;

/** The addon's parameters ([..., C, KH, KW, M, ...]: the channel multiplier in conv's output-channel slot), or undefined. */
export function depthwiseParams(c: ConvInfo): number[] | undefined {
  const p = convParams(c);
  if (p === undefined || c.outChannels !== c.inChannels * c.filterShape[3]) return undefined;
  p[6] = c.filterShape[3];
  return p;
}

export function depthwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  return convFamilyKernels({
    forward: 'DepthwiseConv2dNative',
    fused: 'FusedDepthwiseConv2D',
    backpropInput: 'DepthwiseConv2dNativeBackpropInput',
    backpropFilter: 'DepthwiseConv2dNativeBackpropFilter',
    depthwise: true,
    params: depthwiseParams,
    run: {
      conv2d: addon.depthwiseConv2d.bind(addon),
      conv2dBackpropInput: addon.depthwiseConv2dBackpropInput.bind(addon),
      conv2dBackpropFilter: addon.depthwiseConv2dBackpropFilter.bind(addon),
    },
  });
}
