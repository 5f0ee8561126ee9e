import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { type Augmentation, assertImageBatch, assertOptionKeys, assertProbability } from './augmentation.js';

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
    const [batch, height, width] = assertImageBatch(x, fn);
    const flip = new Float32Array(batch);
    for (let b = 0; b < batch; b++) flip[b] = rng.bernoulli(probability) ? 1 : 0;
    return tf.tidy(() => {
      if (flip.every((f) => f === 0)) return tf.clone(x);
      // One cropAndResize with a whole-image box per sample, its x1 and x2 swapped for the
      // mirrored ones. Sampling points fall exactly on pixels, so values are copied, not blended;
      // it is much faster than tf.reverse + a select on the CPU-class backends.
      const boxes = new Float32Array(batch * 4);
      flip.forEach((f, b) => boxes.set(f === 1 ? [0, 1, 1, 0] : [0, 0, 1, 1], b * 4));
      const index = tf.range(0, batch, 1, 'int32') as tf.Tensor1D;
      return tf.image.cropAndResize(x as tf.Tensor4D, tf.tensor2d(boxes, [batch, 4]), index, [height, width], 'bilinear');
    });
  };
}
