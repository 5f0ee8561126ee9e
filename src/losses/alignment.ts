import * as tf from '../tf.js';
import { assertPositive, assertSameShape } from '../validate.js';
import { safePow } from '../ops/safe-pow.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface AlignmentOptions {
  /** Exponent α on the distance of a positive pair. @default 2 (Wang & Isola 2020, arXiv:2005.10242, the setting of their experiments) */
  alpha?: number;
}

/**
 * Alignment loss (Wang & Isola 2020, https://arxiv.org/abs/2005.10242, L_align):
 * `mean_i ||x_i - y_i||_2^α`, a scalar. Lower is better aligned.
 *
 * - `x`, `y`: [N, D]; row i of each is a positive pair. Expected already L2-normalised (the
 *   paper's setting); nothing is normalised here, so pass `l2Normalize(z)` when needed.
 *
 * A zero distance has a zero gradient for every α (never NaN).
 */
export function alignmentLoss(x: tf.Tensor2D, y: tf.Tensor2D, options: AlignmentOptions = {}): tf.Scalar {
  assertOptions(options, 'alignmentLoss');
  const { alpha = 2 } = options;
  assertFloatTensor(x, 2, 'alignmentLoss', 'x');
  assertSameShape(y, x, 'alignmentLoss', 'y', 'x');
  assertFloatTensor(y, 2, 'alignmentLoss', 'y');
  assertPositive(alpha, 'alignmentLoss', 'alpha');
  return tf.tidy(() => {
    const distSq = tf.sum(tf.square(tf.sub(x, y)), 1); // [N]: ||x_i - y_i||^2
    const powered = alpha === 2 ? distSq : safePow(distSq, alpha / 2); // [N]
    return tf.mean(powered) as tf.Scalar;
  });
}

/**
 * {@link alignmentLoss} as a plain number, for evaluation code (reads the value back
 * synchronously and frees the tensor). Same inputs and options.
 */
export function alignment(x: tf.Tensor2D, y: tf.Tensor2D, options: AlignmentOptions = {}): number {
  const loss = alignmentLoss(x, y, options);
  try {
    return loss.dataSync()[0]!;
  } finally {
    loss.dispose();
  }
}
