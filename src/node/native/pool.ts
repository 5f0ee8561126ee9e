/** MaxPool, AvgPool and their gradients (NHWC, dilation 1), matching the cpu backend's numerics. */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The addon's parameter list: [N, H, W, C, KH, KW, OH, OW, sh, sw, padTop, padLeft]. */
function poolParams(kernel: string, xShape: number[], a: PoolAttrs): { params: number[]; outShape: number[] } | undefined {
  if (xShape.length !== 4) shapeError(kernel, 'x', 'have rank 4', xShape);
  const c = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  if (c.padInfo.top < 0 || c.padInfo.left < 0 || c.outHeight <= 0 || c.outWidth <= 0) return undefined;
  return {
    params: [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.outHeight, c.outWidth,
      c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left],
    outShape: [...c.outShape],
  };
}

export function poolKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward = (name: string, max: boolean) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    const xv = values(backend, x!);
    if (xv === undefined) return undefined;
    const g = poolParams(name, x!.shape, attrs as unknown as PoolAttrs);
    if (g === undefined) return undefined;
    const y = alloc(sizeOf(g.outShape));
    if (max) addon.maxPool(xv, y, g.params);
    else addon.avgPool(xv, y, g.params);
    return output(backend, g.outShape, y);
  });
  const gradient = (name: string, max: boolean) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { dy, input } = inputs as Record<string, tf.TensorInfo>;
    const dyv = values(backend, dy!), xv = values(backend, input!);
    if (dyv === undefined || xv === undefined) return undefined;
    const g = poolParams(name, input!.shape, attrs as unknown as PoolAttrs);
    if (g === undefined) return undefined;
    if (g.outShape.some((d, i) => d !== dy!.shape[i])) shapeError(name, 'dy', `have shape [${g.outShape.join(', ')}]`, dy!.shape);
    const dx = alloc(sizeOf(input!.shape));
    if (max) addon.maxPoolGrad(dyv, xv, dx, g.params);
    else addon.avgPoolGrad(dyv, dx, g.params);
    return output(backend, [...input!.shape], dx);
  });
  return [forward('MaxPool', true), forward('AvgPool', false), gradient('MaxPoolGrad', true), gradient('AvgPoolGrad', false)];
}
