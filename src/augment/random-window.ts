import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ShapeError } from '../errors.js';
import { assertInRange, assertInteger, assertPositive } from '../validate.js';
import { type Augmentation, assertOptionKeys, assertSequenceBatch } from './augmentation.js';
import { cropBoxes } from './random-resized-crop.js';

export interface RandomWindowOptions {
  /** Window length in time steps; overrides `fraction`. @default round(fraction T) */
  length?: number;
  /** Window length as a fraction of T, when `length` is not given. @default 0.9 (window slicing, Le Guennec et al. 2016; Iwana & Uchida 2021) */
  fraction?: number;
  /**
   * Resample the window (linear interpolation) to this many steps; `'input'` means T, the input's
   * length, as window slicing does (Le Guennec et al. 2016). @default the window length (no resampling)
   */
  outputLength?: number | 'input';
}

/**
 * Random crop of a window of consecutive time steps, its start uniform per series.
 * [B, T, C] -> [B, length, C] (or [B, outputLength, C] when resampled: `'input'` keeps [B, T, C]). Without resampling it is
 * one `tf.gather` of rows and the values are copied exactly.
 */
export function randomWindow(options: RandomWindowOptions = {}): Augmentation {
  const fn = 'randomWindow';
  assertOptionKeys(options, ['length', 'fraction', 'outputLength'], fn);
  const { length, fraction = 0.9, outputLength } = options;
  if (length !== undefined) assertInteger(length, fn, 'length', 1);
  assertPositive(fraction, fn, 'fraction');
  assertInRange(fraction, 0, 1, fn, 'fraction');
  if (outputLength !== undefined && outputLength !== 'input') assertInteger(outputLength, fn, 'outputLength', 1);
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, steps, channels] = assertSequenceBatch(x, fn);
    const window = length ?? Math.max(1, Math.round(fraction * steps));
    if (window > steps) throw new ShapeError(fn, 'x', `must have at least ${window} time steps (the window length), got ${steps}`);
    const out = outputLength === 'input' ? steps : (outputLength ?? window);
    const starts: number[] = [];
    for (let b = 0; b < batch; b++) starts.push(rng.int(steps - window + 1));
    return tf.tidy(() => {
      if (out === window) {
        const rows = new Int32Array(batch * window); // flat row b * T + start_b + t of [B * T, C]
        for (let b = 0; b < batch; b++) for (let t = 0; t < window; t++) rows[b * window + t] = b * steps + starts[b]! + t;
        const picked = tf.gather(tf.reshape(x, [batch * steps, channels]), tf.tensor1d(rows, 'int32')); // [B * window, C]
        return tf.reshape(picked, [batch, window, channels]);
      }
      // Resample: the series as a [B, T, 1, C] image, one crop box per series.
      const image = tf.reshape(x, [batch, steps, 1, channels]) as tf.Tensor4D;
      const crops = cropBoxes(
        image,
        starts.map((s) => ({ top: s, left: 0, height: window, width: 1 })),
        [out, 1],
      );
      return tf.reshape(crops, [batch, out, channels]);
    });
  };
}
