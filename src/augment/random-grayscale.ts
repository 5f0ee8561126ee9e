import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { type Augmentation, LUMA_WEIGHTS, assertImageBatch, assertOptionKeys, assertProbability } from './augmentation.js';

export interface RandomGrayscaleOptions {
  /** Chance that a sample is turned grey. @default 0.2 (SimCLR, arXiv:2002.05709, Appendix A) */
  probability?: number;
}

/**
 * Random greyscale: with `probability`, a sample's three channels are all replaced by its
 * luminance 0.2989 R + 0.587 G + 0.114 B (as torchvision). [B, H, W, 3] -> [B, H, W, 3].
 * Images with one channel are already grey: they are returned unchanged (a copy).
 */
export function randomGrayscale(options: RandomGrayscaleOptions = {}): Augmentation {
  const fn = 'randomGrayscale';
  assertOptionKeys(options, ['probability'], fn);
  const { probability = 0.2 } = options;
  assertProbability(probability, fn, 'probability');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, height, width, channels] = assertImageBatch(x, fn);
    const grey = new Float32Array(batch);
    for (let b = 0; b < batch; b++) grey[b] = rng.bernoulli(probability) ? 1 : 0;
    return tf.tidy(() => {
      if (channels !== 3 || grey.every((g) => g === 0)) return tf.clone(x);
      // Per sample a 3x3 map of the channels: the identity, or w 1^T (each channel := luminance).
      const m = new Float32Array(batch * 9);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) m[b * 9 + i * 3 + j] = grey[b] === 1 ? LUMA_WEIGHTS[i]! : i === j ? 1 : 0;
      }
      const pixels = tf.reshape(x, [batch, height * width, 3]); // [B, HW, 3]
      return tf.reshape(tf.matMul(pixels, tf.tensor3d(m, [batch, 3, 3])), x.shape); // [B, H, W, 3]
    });
  };
}
