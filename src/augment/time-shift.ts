import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertInRange, assertOneOf } from '../validate.js';
import { type Augmentation, assertOptionKeys, assertProbability, assertSequenceBatch } from './augmentation.js';

export interface TimeShiftOptions {
  /** Chance that a series is shifted. @default 1 */
  probability?: number;
  /** Largest shift as a fraction of T; the shift is a uniform integer in [-round(maxFraction T), round(maxFraction T)]. @default 0.1 (this library's choice: a small phase change) */
  maxFraction?: number;
  /** What enters at the edge: `'circular'` wraps the series around (a roll), `'zeros'` shifts in zeros. @default 'circular' */
  padding?: 'circular' | 'zeros';
}

/**
 * Time shift: each series is moved along time by its own integer number of steps s
 * (y[t] = x[t - s]). [B, T, C] -> [B, T, C]; one `tf.gather` of rows (plus a mask for zeros).
 */
export function timeShift(options: TimeShiftOptions = {}): Augmentation {
  const fn = 'timeShift';
  assertOptionKeys(options, ['probability', 'maxFraction', 'padding'], fn);
  const { probability = 1, maxFraction = 0.1, padding = 'circular' } = options;
  assertProbability(probability, fn, 'probability');
  assertInRange(maxFraction, 0, 1, fn, 'maxFraction');
  assertOneOf(padding, ['circular', 'zeros'], fn, 'padding');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, steps, channels] = assertSequenceBatch(x, fn);
    const most = Math.round(maxFraction * steps);
    const rows = new Int32Array(batch * steps);
    const keep = new Float32Array(batch * steps).fill(1);
    for (let b = 0; b < batch; b++) {
      const applied = rng.bernoulli(probability);
      const shift = rng.int(2 * most + 1) - most;
      const s = applied ? shift : 0;
      for (let t = 0; t < steps; t++) {
        const from = t - s;
        rows[b * steps + t] = b * steps + (((from % steps) + steps) % steps);
        if (padding === 'zeros' && (from < 0 || from >= steps)) keep[b * steps + t] = 0;
      }
    }
    return tf.tidy(() => {
      const moved = tf.reshape(tf.gather(tf.reshape(x, [batch * steps, channels]), tf.tensor1d(rows, 'int32')), [batch, steps, channels]);
      return padding === 'zeros' ? tf.mul(moved, tf.tensor3d(keep, [batch, steps, 1])) : moved;
    });
  };
}
