import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ConfigError } from '../errors.js';
import { assertInteger, describe } from '../validate.js';
import type { Augmentation } from './augmentation.js';

/** Makes `n` views of a batch: an array of `n` new tensors; the caller disposes them. */
export type ViewMaker = (x: tf.Tensor, rng: Rng) => tf.Tensor[];

/**
 * `n` independently augmented views of one batch: view i is `augmentation(x, rng)` called the
 * i-th time, so each view draws fresh random parameters from the advancing Rng and the whole set
 * is reproducible from one Rng state. Row j of every view comes from sample j (positive pairs
 * share a row index).
 *
 * @example const twoViews = views(simclrCifar(32), 2); const [v1, v2] = twoViews(batch, rng);
 */
export function views(augmentation: Augmentation, n = 2): ViewMaker {
  if (typeof augmentation !== 'function') {
    throw new ConfigError('views', 'augmentation', `must be an augmentation (a function), got ${describe(augmentation)}`);
  }
  assertInteger(n, 'views', 'n', 1);
  return (x: tf.Tensor, rng: Rng): tf.Tensor[] => {
    const out: tf.Tensor[] = [];
    try {
      for (let i = 0; i < n; i++) out.push(augmentation(x, rng));
    } catch (err) {
      for (const t of out) t.dispose();
      throw err;
    }
    return out;
  };
}
