import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ConfigError } from '../errors.js';
import { describe } from '../validate.js';
import type { Augmentation } from './augmentation.js';

/**
 * Applies `augmentations` in order, each to the previous one's output, with the same Rng (so the
 * whole pipeline is reproducible from one Rng state). Intermediate results are disposed; the
 * input is not. `compose([])` returns a copy of its input.
 */
export function compose(augmentations: readonly Augmentation[]): Augmentation {
  if (!Array.isArray(augmentations)) {
    throw new ConfigError('compose', 'augmentations', `must be an array of augmentations, got ${describe(augmentations)}`);
  }
  augmentations.forEach((a, i) => {
    if (typeof a !== 'function')
      throw new ConfigError('compose', `augmentations[${i}]`, `must be an augmentation (a function), got ${describe(a)}`);
  });
  const steps = [...augmentations];
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    if (steps.length === 0) return tf.clone(x);
    let current = x;
    try {
      for (const step of steps) {
        const next = step(current, rng);
        if (current !== x) current.dispose();
        current = next;
      }
    } catch (err) {
      if (current !== x) current.dispose();
      throw err;
    }
    return current;
  };
}
