import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { type Augmentation, assertImageBatch, assertOptionKeys, assertProbability, choose, perSample } from './augmentation.js';

export interface HorizontalFlipOptions {
  /** Chance that a sample is mirrored left-right. @default 0.5 (torchvision; SimCLR) */
  probability?: number;
}

/**
 * Random horizontal flip: each sample is mirrored left-right with `probability`.
 * [B, H, W, C] -> [B, H, W, C]; values are moved, never changed.
 */
export function horizontalFlip(options: HorizontalFlipOptions = {}): Augmentation {
  const fn = 'horizontalFlip';
  assertOptionKeys(options, ['probability'], fn);
  const { probability = 0.5 } = options;
  assertProbability(probability, fn, 'probability');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch] = assertImageBatch(x, fn);
    const flip = new Float32Array(batch);
    for (let b = 0; b < batch; b++) flip[b] = rng.bernoulli(probability) ? 1 : 0;
    return tf.tidy(() => {
      if (flip.every((f) => f === 0)) return tf.clone(x);
      const mirrored = tf.reverse(x, 2); // [B, H, W, C]
      if (flip.every((f) => f === 1)) return mirrored;
      const m = perSample(flip, 4); // [B, 1, 1, 1]: 1 = take the mirrored sample
      return choose(m, mirrored, x);
    });
  };
}
