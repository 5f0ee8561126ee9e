import * as tf from '../tf.js';
import { assertNonNegative, assertSameShape } from '../validate.js';
import { safePow } from '../ops/safe-pow.js';
import { assertBoolean, assertFloatTensor, assertOptions } from './check.js';

export interface TripletMarginOptions {
  /** Margin m between the positive and the negative distance. @default 1 (PyTorch `TripletMarginLoss`; FaceNet, arXiv:1503.03832, uses 0.2 on normalised embeddings) */
  margin?: number;
  /**
   * Compare squared Euclidean distances, as FaceNet does; `false` compares plain distances,
   * as PyTorch's `TripletMarginLoss`.
   * @default true (FaceNet, arXiv:1503.03832)
   */
  squared?: boolean;
}

/**
 * Triplet margin loss (Schroff et al. 2015, FaceNet, https://arxiv.org/abs/1503.03832;
 * Weinberger & Saul 2009 for the margin form).
 *
 * - `anchor`, `positive`, `negative`: [N, D]; row i of each forms one triplet.
 *
 * Per triplet `max(0, D(a,p)^2 - D(a,n)^2 + m)` with Euclidean D, or with `squared: false`
 * `max(0, D(a,p) - D(a,n) + m)`; the mean over the N triplets (a scalar). No normalisation
 * inside. A zero distance has a zero gradient (never NaN).
 */
export function tripletMarginLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
  options: TripletMarginOptions = {},
): tf.Scalar {
  assertOptions(options, 'tripletMarginLoss');
  const { margin = 1, squared = true } = options;
  assertFloatTensor(anchor, 2, 'tripletMarginLoss', 'anchor');
  assertSameShape(positive, anchor, 'tripletMarginLoss', 'positive', 'anchor');
  assertFloatTensor(positive, 2, 'tripletMarginLoss', 'positive');
  assertSameShape(negative, anchor, 'tripletMarginLoss', 'negative', 'anchor');
  assertFloatTensor(negative, 2, 'tripletMarginLoss', 'negative');
  assertNonNegative(margin, 'tripletMarginLoss', 'margin');
  assertBoolean(squared, 'tripletMarginLoss', 'squared');
  return tf.tidy(() => {
    const positiveSq = tf.sum(tf.square(tf.sub(anchor, positive)), 1); // [N]: D(a,p)^2
    const negativeSq = tf.sum(tf.square(tf.sub(anchor, negative)), 1); // [N]: D(a,n)^2
    const positiveDist = squared ? positiveSq : safePow(positiveSq, 0.5); // [N]
    const negativeDist = squared ? negativeSq : safePow(negativeSq, 0.5); // [N]
    return tf.mean(tf.relu(tf.add(tf.sub(positiveDist, negativeDist), margin))) as tf.Scalar;
  });
}
