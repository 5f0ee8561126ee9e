/**
 * Conv2D for wasm: 3x3, stride-1, 'same' convolutions of at least `WINOGRAD_MIN_CHANNELS`
 * channels each way and `WINOGRAD_MIN_TILES` output tiles by Winograd F(2x2, 3x3) on every kernel
 * thread (winograd-conv2d.ts); every other convolution by the shipped kernel (XNNPACK).
 */
import * as tf from '../../tf.js';
import { callStock, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { winogradApplies } from './winograd-filter-gradient.js';
import { winogradConv2D } from './winograd-conv2d.js';

/**
 * Fewest input and output channels for the Winograd path: below, the transforms (per channel)
 * outweigh what the products save, and XNNPACK's direct convolution is as fast.
 */
export const WINOGRAD_MIN_CHANNELS = 16;

/**
 * Fewest 2x2 output tiles (images x ceil(H / 2) x ceil(W / 2)) for the Winograd path: the filter's
 * transform costs the same whatever the batch, and below about 400 tiles it outweighs the saving
 * (2 threads: 196 tiles of 64 -> 64 channels 0.8x XNNPACK's time, 392 tiles 1.1x, 784 tiles 1.5x).
 */
export const WINOGRAD_MIN_TILES = 512;

/**
 * y of a Winograd convolution where it applies (a 3x3, stride-1, 'same' convolution of NHWC
 * float32, at least `WINOGRAD_MIN_CHANNELS` channels each way and `WINOGRAD_MIN_TILES` tiles), else
 * undefined.
 */
export function winogradConvolution(
  backend: KernelArgs['backend'],
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations' | 'dimRoundingMode'>,
): TensorInfo | undefined {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  if (tf.backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast' || x.dtype !== 'float32') return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const tiles = info.batchSize * Math.ceil(info.inHeight / 2) * Math.ceil(info.inWidth / 2);
  const big = info.inChannels >= WINOGRAD_MIN_CHANNELS && info.outChannels >= WINOGRAD_MIN_CHANNELS && tiles >= WINOGRAD_MIN_TILES;
  return big && winogradApplies(info) ? winogradConv2D(backend, x, filter, info) : undefined;
}

export function conv2D({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  return winogradConvolution(backend, x, filter, attrs as unknown as tf.Conv2DAttrs) ?? callStock('Conv2D', backend, inputs, attrs);
}
