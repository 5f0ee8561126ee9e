/**
 * SCARF-style corruption for vectors (Bahri et al. 2022, "SCARF: Self-Supervised Contrastive
 * Learning using Random Feature Corruption", arXiv:2106.15147), plus Gaussian noise.
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertNonNegative, assertRank } from '../validate.js';
import { type Augmentation, assertOptionKeys, assertProbability } from './augmentation.js';

export interface VectorCorruptionOptions {
  /** Chance that a feature is replaced by the same feature of another random row. @default 0.6 (SCARF's corruption rate) */
  rate?: number;
  /**
   * Standard deviation of the added Gaussian noise, in units of the batch's per-feature standard
   * deviation. @default 0.1 (this library's choice: small next to the corruption)
   */
  noise?: number;
}

/**
 * Each feature of each row is, with probability `rate`, replaced by the same feature of a random
 * row of the batch (a draw from its empirical marginal); then Gaussian noise of `noise` x the
 * batch's per-feature std is added. x: [B, D] -> [B, D]. The mask and the donor rows come from the
 * Rng, the noise from `tf.randomNormal` seeded by it: the same on every backend.
 */
export function vectorCorruption(options: VectorCorruptionOptions = {}): Augmentation {
  const fn = 'vectorCorruption';
  assertOptionKeys(options, ['rate', 'noise'], fn);
  const { rate = 0.6, noise = 0.1 } = options;
  assertProbability(rate, fn, 'rate');
  assertNonNegative(noise, fn, 'noise');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    assertRank(x, 2, fn, 'x');
    const [b, d] = x.shape as [number, number];
    const mask = new Float32Array(b * d);
    const donor = new Int32Array(b * d);
    for (let i = 0; i < b * d; i++) {
      mask[i] = rng.next() < rate ? 1 : 0;
      donor[i] = rng.int(b) * d + (i % d);
    }
    const seed = rng.seed();
    return tf.tidy(() => {
      const flat = tf.reshape(x, [b * d]); // [B*D]
      const other = tf.reshape(tf.gather(flat, tf.tensor1d(donor, 'int32')), [b, d]); // [B, D]
      const m = tf.tensor2d(mask, [b, d]); // [B, D], 1 = corrupted
      const mixed = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(other, m)); // [B, D]
      const std = tf.sqrt(tf.moments(x, 0).variance); // [D]
      return tf.add(mixed, tf.mul(tf.randomNormal([b, d], 0, 1, 'float32', seed), tf.mul(std, noise)));
    });
  };
}
