import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { type Augmentation, assertImageBatch, assertOptionKeys, assertProbability, choose, luminance, perSample } from './augmentation.js';

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
    const [batch, , , channels] = assertImageBatch(x, fn);
    const grey = new Float32Array(batch);
    for (let b = 0; b < batch; b++) grey[b] = rng.bernoulli(probability) ? 1 : 0;
    return tf.tidy(() => {
      if (channels !== 3 || grey.every((g) => g === 0)) return tf.clone(x);
      const y = tf.tile(luminance(x as tf.Tensor4D), [1, 1, 1, 3]); // [B, H, W, 3]
      const m = perSample(grey, 4); // [B, 1, 1, 1]
      return choose(m, y, x);
    });
  };
}
