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

/** Normalised 1-D Gaussian weights at offsets -radius..radius. */
export function gaussianKernel(radius: number, sigma: number): Float32Array {
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Random Gaussian blur with a per-sample sigma, as a separable (row then column) depthwise
 * convolution with reflected borders. The batch is laid out as one image with B x C channels so
 * that each sample gets its own kernel in a single depthwise op. [B, H, W, C] -> [B, H, W, C].
 * Samples not drawn for blurring get the identity kernel.
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
    const weights = new Float32Array(taps * batch * channels); // [taps, B * C] row-major
    let any = false;
    for (let b = 0; b < batch; b++) {
      const blur = rng.bernoulli(probability);
      const s = rng.uniform(sigma[0], sigma[1]);
      const k = blur && radius > 0 ? gaussianKernel(radius, s) : null;
      any ||= k !== null;
      for (let t = 0; t < taps; t++) {
        const w = k === null ? (t === radius ? 1 : 0) : k[t]!;
        for (let c = 0; c < channels; c++) weights[t * batch * channels + b * channels + c] = w;
      }
    }
    return tf.tidy(() => {
      if (!any) return tf.clone(x);
      const bc = batch * channels;
      // [B, H, W, C] -> [1, H, W, B * C]: one image whose channel b * C + c is channel c of sample b.
      const wide = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, height, width, bc]) as tf.Tensor4D;
      const padded = tf.mirrorPad(wide, [[0, 0], [radius, radius], [radius, radius], [0, 0]], 'reflect');
      const rowKernel = tf.tensor4d(weights, [1, taps, bc, 1]); // along the width
      const colKernel = tf.tensor4d(weights, [taps, 1, bc, 1]); // along the height
      const rows = tf.depthwiseConv2d(padded, rowKernel, 1, 'valid'); // [1, H + 2r, W, B * C]
      const blurred = tf.depthwiseConv2d(rows, colKernel, 1, 'valid'); // [1, H, W, B * C]
      return tf.transpose(tf.reshape(blurred, [height, width, batch, channels]), [2, 0, 1, 3]); // [B, H, W, C]
    });
  };
}
