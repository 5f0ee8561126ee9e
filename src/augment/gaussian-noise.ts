import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertNonNegative } from '../validate.js';
import { type Augmentation, assertImageBatch, assertOptionKeys, assertProbability, perSample } from './augmentation.js';

export interface GaussianNoiseOptions {
  /** Chance that a sample gets noise. @default 0.5 (this library's choice: half the views stay clean) */
  probability?: number;
  /**
   * Standard deviation of the additive noise, in units of the [0, 1] pixel range.
   * @default 0.05 (this library's choice: about 13 grey levels of 255, visible but far below the
   * contrast of an object's edges)
   */
  std?: number;
}

/**
 * Random additive Gaussian noise: with `probability`, a sample gets i.i.d. N(0, std²) noise on
 * every pixel, then is clamped to [0, 1]. [B, H, W, C] -> [B, H, W, C]. The noise comes from
 * `tf.randomNormal` seeded by the Rng, so it is the same on every backend.
 */
export function gaussianNoise(options: GaussianNoiseOptions = {}): Augmentation {
  const fn = 'gaussianNoise';
  assertOptionKeys(options, ['probability', 'std'], fn);
  const { probability = 0.5, std = 0.05 } = options;
  assertProbability(probability, fn, 'probability');
  assertNonNegative(std, fn, 'std');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch] = assertImageBatch(x, fn);
    const scale = new Float32Array(batch);
    for (let b = 0; b < batch; b++) scale[b] = rng.bernoulli(probability) ? std : 0;
    const seed = rng.seed();
    return tf.tidy(() => {
      if (scale.every((s) => s === 0)) return tf.clone(x);
      const noise = tf.randomNormal(x.shape, 0, 1, 'float32', seed); // [B, H, W, C]
      return tf.clipByValue(tf.add(x, tf.mul(noise, perSample(scale, 4))), 0, 1);
    });
  };
}
