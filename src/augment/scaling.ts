import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertNonNegative } from '../validate.js';
import { type Augmentation, assertOptionKeys, assertProbability, assertSequenceBatch } from './augmentation.js';

export interface ScalingOptions {
  /** Chance that a series is rescaled. @default 1 (Iwana & Uchida 2021) */
  probability?: number;
  /** Standard deviation of the factor, drawn from N(1, std²) per series and channel. @default 0.1 (Um et al. 2017; Iwana & Uchida 2021, arXiv:2007.15951) */
  std?: number;
}

/** Scaling: each channel of each series is multiplied by its own factor ~ N(1, std²). [B, T, C] -> [B, T, C]. */
export function scaling(options: ScalingOptions = {}): Augmentation {
  const fn = 'scaling';
  assertOptionKeys(options, ['probability', 'std'], fn);
  const { probability = 1, std = 0.1 } = options;
  assertProbability(probability, fn, 'probability');
  assertNonNegative(std, fn, 'std');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, , channels] = assertSequenceBatch(x, fn);
    const factors = new Float32Array(batch * channels).fill(1); // [B, 1, C]
    for (let b = 0; b < batch; b++) {
      const applied = rng.bernoulli(probability);
      for (let c = 0; c < channels; c++) {
        const f = 1 + std * rng.normal();
        if (applied) factors[b * channels + c] = f;
      }
    }
    return tf.tidy(() => tf.mul(x, tf.tensor3d(factors, [batch, 1, channels])));
  };
}
