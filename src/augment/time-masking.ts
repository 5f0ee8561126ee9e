import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertFinite, assertInRange, assertInteger } from '../validate.js';
import { type Augmentation, assertOptionKeys, assertProbability, assertSequenceBatch, choose } from './augmentation.js';

export interface TimeMaskingOptions {
  /** Chance that a series is masked. @default 0.5 (this library's choice: half the views keep every step) */
  probability?: number;
  /** Number of masks per masked series. @default 1 (SpecAugment, Park et al. 2019, arXiv:1904.08779, LibriSpeech basic policy) */
  count?: number;
  /** Longest mask as a fraction of T; a mask's length is uniform in [0, maxFraction T]. @default 0.1 (this library's choice, in SpecAugment's range: p = 0.2 bounds a mask to 20% of T) */
  maxFraction?: number;
  /** Value written in the masked steps (series are z-normalised: 0 is the mean). @default 0 (SpecAugment masks with the mean) */
  value?: number;
}

/**
 * Time masking (SpecAugment's time mask on a series): `count` spans of consecutive time steps,
 * each of length uniform in [0, maxFraction T] and start uniform, are set to `value` in every
 * channel. [B, T, C] -> [B, T, C].
 */
export function timeMasking(options: TimeMaskingOptions = {}): Augmentation {
  const fn = 'timeMasking';
  assertOptionKeys(options, ['probability', 'count', 'maxFraction', 'value'], fn);
  const { probability = 0.5, count = 1, maxFraction = 0.1, value = 0 } = options;
  assertProbability(probability, fn, 'probability');
  assertInteger(count, fn, 'count', 1);
  assertInRange(maxFraction, 0, 1, fn, 'maxFraction');
  assertFinite(value, fn, 'value');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, steps] = assertSequenceBatch(x, fn);
    const longest = Math.floor(maxFraction * steps);
    const mask = new Float32Array(batch * steps); // [B, T, 1]: 1 = masked
    let any = false;
    for (let b = 0; b < batch; b++) {
      if (!rng.bernoulli(probability)) continue;
      for (let m = 0; m < count; m++) {
        const length = rng.int(longest + 1);
        const start = rng.int(steps - length + 1);
        mask.fill(1, b * steps + start, b * steps + start + length);
        any ||= length > 0;
      }
    }
    return tf.tidy(() => {
      if (!any) return tf.clone(x);
      const m = tf.tensor3d(mask, [batch, steps, 1]); // 1 = masked
      return choose(m, tf.scalar(value), x); // value in the masks, x elsewhere
    });
  };
}
