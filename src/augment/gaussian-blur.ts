import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertInteger } from '../validate.js';
import { type Augmentation, assertImageBatch, assertInterval, assertOptionKeys, assertProbability } from './augmentation.js';

export interface GaussianBlurOptions {
  /** Chance that a sample is blurred. @default 0.5 (SimCLR, arXiv:2002.05709, Appendix A, ImageNet) */
  probability?: number;
  /** Range of the standard deviation in pixels, drawn uniformly per sample. @default [0.1, 2] (SimCLR) */
  sigma?: [number, number];
  /**
   * Kernel side in pixels (made odd: 2 floor(k / 2) + 1). @default 10% of the image's smaller
   * side (SimCLR: "kernel size is set to be 10% of the image height/width")
   */
  kernelSize?: number;
}

/** Widest row (W C) for which the blur runs as matrix products. */
const MATRIX_MAX_ROW = 128;

/** Normalised 1-D Gaussian weights at offsets -radius..radius. */
export function gaussianKernel(radius: number, sigma: number): Float32Array {
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Random Gaussian blur with a per-sample sigma, separable (columns, then rows), with reflected
 * borders (numpy/torchvision 'reflect'). [B, H, W, C] -> [B, H, W, C]. Samples not drawn for
 * blurring get the identity kernel. Two batched forms, the same result:
 * - small rows (W C <= 128, e.g. 32x32x3): per sample, `V x R` with V [H, H] blurring the columns
 *   and R [WC, WC] the rows, borders folded into both: two batched matrix products;
 * - larger images: the batch laid out as one image of B C channels, padded by reflection, and
 *   two depthwise convolutions, so that each sample gets its own kernel.
 */
export function gaussianBlur(options: GaussianBlurOptions = {}): Augmentation {
  const fn = 'gaussianBlur';
  assertOptionKeys(options, ['probability', 'sigma', 'kernelSize'], fn);
  const { probability = 0.5, sigma = [0.1, 2], kernelSize } = options;
  assertProbability(probability, fn, 'probability');
  assertInterval(sigma, fn, 'sigma', Number.MIN_VALUE, Infinity);
  if (kernelSize !== undefined) assertInteger(kernelSize, fn, 'kernelSize', 1);
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, height, width, channels] = assertImageBatch(x, fn);
    const side = kernelSize ?? Math.round(0.1 * Math.min(height, width));
    // Reflection needs radius < side of the image.
    const radius = Math.min(Math.floor(side / 2), height - 1, width - 1);
    const taps = 2 * radius + 1;
    const weights = new Float32Array(batch * taps); // [B, taps]: sample b's 1-D kernel (identity when not blurred)
    let any = false;
    for (let b = 0; b < batch; b++) {
      const blur = rng.bernoulli(probability);
      const s = rng.uniform(sigma[0], sigma[1]);
      if (blur && radius > 0) {
        weights.set(gaussianKernel(radius, s), b * taps);
        any = true;
      } else weights[b * taps + radius] = 1;
    }
    if (!any) return tf.clone(x);
    if (width * channels <= MATRIX_MAX_ROW) return blurByMatrices(x as tf.Tensor4D, weights, taps);
    return blurDepthwise(x as tf.Tensor4D, weights, taps);
  };
}

/** Reflects index i into [0, n) without repeating the edge (n >= 2 or i = 0). */
function reflect(i: number, n: number): number {
  return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
}

/** Per sample, V_b x_b R_b: V [H, H] mixes rows of the image (blur along H), R [WC, WC] columns within each channel (along W). */
function blurByMatrices(x: tf.Tensor4D, weights: Float32Array, taps: number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const radius = (taps - 1) / 2;
  const row = width * channels;
  const v = new Float32Array(batch * height * height); // [B, H, H]: out row i = sum_d k[d] in row reflect(i + d)
  const r = new Float32Array(batch * row * row); // [B, WC, WC]: out column j c = sum_d k[d] in column reflect(j + d) c
  for (let b = 0; b < batch; b++) {
    for (let d = -radius; d <= radius; d++) {
      const k = weights[b * taps + d + radius]!;
      if (k === 0) continue;
      for (let i = 0; i < height; i++) v[(b * height + i) * height + reflect(i + d, height)]! += k;
      for (let j = 0; j < width; j++) {
        const from = reflect(j + d, width);
        for (let c = 0; c < channels; c++) r[(b * row + from * channels + c) * row + j * channels + c]! += k;
      }
    }
  }
  return tf.tidy(() => {
    const rows = tf.reshape(x, [batch, height, row]); // [B, H, WC]
    const cols = tf.matMul(tf.tensor3d(v, [batch, height, height]), rows); // [B, H, WC], blurred along H
    return tf.reshape(tf.matMul(cols, tf.tensor3d(r, [batch, row, row])), x.shape) as tf.Tensor4D; // and along W
  });
}

/** The batch as one [1, H, W, B C] image, reflected borders, two depthwise convolutions. */
function blurDepthwise(x: tf.Tensor4D, weights: Float32Array, taps: number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const radius = (taps - 1) / 2;
  const bc = batch * channels;
  const filter = new Float32Array(taps * bc); // [taps, B C]: channel b C + c uses sample b's kernel
  for (let t = 0; t < taps; t++)
    for (let b = 0; b < batch; b++) filter.fill(weights[b * taps + t]!, t * bc + b * channels, t * bc + (b + 1) * channels);
  return tf.tidy(() => {
    // [B, H, W, C] -> [1, H, W, B C]: one image whose channel b C + c is channel c of sample b.
    const wide = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, height, width, bc]) as tf.Tensor4D;
    const padded = tf.mirrorPad(
      wide,
      [
        [0, 0],
        [radius, radius],
        [radius, radius],
        [0, 0],
      ],
      'reflect',
    );
    const rows = tf.depthwiseConv2d(padded, tf.tensor4d(filter, [1, taps, bc, 1]), 1, 'valid'); // along W: [1, H + 2r, W, B C]
    const blurred = tf.depthwiseConv2d(rows, tf.tensor4d(filter, [taps, 1, bc, 1]), 1, 'valid'); // along H: [1, H, W, B C]
    return tf.transpose(tf.reshape(blurred, [height, width, batch, channels]), [2, 0, 1, 3]) as tf.Tensor4D; // [B, H, W, C]
  });
}
