import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertNonNegative } from '../validate.js';
import { type Augmentation, assertOptionKeys, assertProbability, assertSequenceBatch, perSample } from './augmentation.js';

export interface JitterOptions {
  /** Chance that a series gets noise. @default 1 (Iwana & Uchida 2021 apply it to every series) */
  probability?: number;
  /** Standard deviation of the additive noise (series are z-normalised). @default 0.03 (Um et al. 2017; Iwana & Uchida 2021, arXiv:2007.15951) */
  std?: number;
}

/**
 * Jitter: i.i.d. N(0, std²) noise added to every time step and channel of a series (no clamping:
 * series are not bounded). [B, T, C] -> [B, T, C].
 */
export function jitter(options: JitterOptions = {}): Augmentation {
  const fn = 'jitter';
  assertOptionKeys(options, ['probability', 'std'], fn);
  const { probability = 1, std = 0.03 } = options;
  assertProbability(probability, fn, 'probability');
  assertNonNegative(std, fn, 'std');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch] = assertSequenceBatch(x, fn);
    const scale = new Float32Array(batch);
    for (let b = 0; b < batch; b++) scale[b] = rng.bernoulli(probability) ? std : 0;
    const seed = rng.seed();
    return tf.tidy(() => {
      if (scale.every((s) => s === 0)) return tf.clone(x);
      const noise = tf.randomNormal(x.shape, 0, 1, 'float32', seed); // [B, T, C]
      return tf.add(x, tf.mul(noise, perSample(scale, 3)));
    });
  };
}
