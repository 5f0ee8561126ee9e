import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { assertPositive, assertSameShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface DecoupledContrastiveOptions {
  /** Softmax temperature τ. @default 0.1 (Yeh et al. 2022, arXiv:2110.06848, §5: DCL's CIFAR setting) */
  temperature?: number;
}

/**
 * Decoupled contrastive loss, DCL (Yeh et al. 2022, https://arxiv.org/abs/2110.06848, Eq. 6):
 * NT-Xent with the positive taken out of the denominator, which removes the negative-positive
 * coupling that makes NT-Xent need large batches.
 *
 * - `z1`, `z2`: [N, D]; row i of each is a positive pair. L2-normalised inside.
 *
 * Each of the 2N embeddings a is an anchor with positive p(a) (its partner) and negatives the
 * 2N - 2 other embeddings: `-s_a,p(a) / τ + log Σ_{k ∉ {a, p(a)}} exp(s_ak / τ)`, the mean over
 * the 2N anchors (a scalar; it can be negative). Needs N >= 2.
 */
export function decoupledContrastiveLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: DecoupledContrastiveOptions = {}): tf.Scalar {
  const fn = 'decoupledContrastiveLoss';
  assertOptions(options, fn);
  const { temperature = 0.1 } = options;
  assertFloatTensor(z1, 2, fn, 'z1');
  assertSameShape(z2, z1, fn, 'z2', 'z1');
  assertFloatTensor(z2, 2, fn, 'z2');
  assertPositive(temperature, fn, 'temperature');
  const n = z1.shape[0];
  const m = 2 * n;
  const partner = new Float32Array(m * m);
  for (let a = 0; a < m; a++) partner[a * m + ((a + n) % m)] = 1;
  return tf.tidy(() => {
    const z = l2Normalize(tf.concat([z1, z2], 0)); // [2N, D]
    const logits = tf.div(tf.matMul(z, tf.transpose(z)), temperature); // [2N, 2N]
    const partnerMask = tf.tensor2d(partner, [m, m]); // [2N, 2N]
    const excluded = tf.add(tf.eye(m), partnerMask); // [2N, 2N]: the anchor and its positive
    const negativeLse = logSumExp(tf.add(logits, tf.mul(excluded, -(2 / temperature + 1e3))), 1); // [2N]
    const positives = tf.sum(tf.mul(logits, partnerMask), 1); // [2N]
    return tf.mean(tf.sub(negativeLse, positives)) as tf.Scalar;
  });
}
