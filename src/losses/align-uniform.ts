import * as tf from '../tf.js';
import { assertNonNegative, assertPositive, assertSameShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { alignmentLoss } from './alignment.js';
import { uniformityLoss } from './uniformity.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface AlignUniformOptions {
  /** Exponent α of the alignment term. @default 2 (Wang & Isola 2020, arXiv:2005.10242, §5) */
  alpha?: number;
  /** Scale t of the uniformity term's Gaussian potential. @default 2 (Wang & Isola 2020, §5) */
  t?: number;
  /** Weight λ of the uniformity term (the alignment term has weight 1). @default 1 (Wang & Isola 2020, their STL-10 setting, Table 6's best) */
  weight?: number;
}

/**
 * Wang & Isola's objective (https://arxiv.org/abs/2005.10242, §5 and its reference code
 * `align_loss(x, y) + λ (uniform_loss(x) + uniform_loss(y)) / 2`): train by alignment and
 * uniformity directly, no softmax and no explicit negatives (the batch's spread is the uniformity).
 *
 * - `z1`, `z2`: [N, D] (N >= 2); row i of each is a positive pair. L2-normalised inside.
 *
 * `L_align(α) + λ (L_uniform(z1; t) + L_uniform(z2; t)) / 2`, a scalar.
 */
export function alignUniformLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: AlignUniformOptions = {}): tf.Scalar {
  const fn = 'alignUniformLoss';
  assertOptions(options, fn);
  const { alpha = 2, t = 2, weight = 1 } = options;
  assertFloatTensor(z1, 2, fn, 'z1');
  assertSameShape(z2, z1, fn, 'z2', 'z1');
  assertFloatTensor(z2, 2, fn, 'z2');
  assertPositive(alpha, fn, 'alpha');
  assertPositive(t, fn, 't');
  assertNonNegative(weight, fn, 'weight');
  return tf.tidy(() => {
    const x = l2Normalize(z1);
    const y = l2Normalize(z2);
    const uniform = tf.div(tf.add(uniformityLoss(x, { t }), uniformityLoss(y, { t })), 2);
    return tf.add(alignmentLoss(x, y, { alpha }), tf.mul(uniform, weight)) as tf.Scalar;
  });
}
