import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { assertPositive, assertSameShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface NtXentOptions {
  /** Softmax temperature τ. @default 0.5 (SimCLR, arXiv:2002.05709, its CIFAR-10 setting) */
  temperature?: number;
}

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR
 * (Chen et al. 2020, https://arxiv.org/abs/2002.05709, Eq. 1).
 *
 * - `z1`: [N, D] embeddings of the first view of N examples.
 * - `z2`: [N, D] embeddings of the second view; row i of `z1` and row i of `z2` are a positive pair.
 *
 * Embeddings are compared by cosine similarity (L2-normalised inside). Each of the 2N embeddings
 * is an anchor: its positive is its partner, its negatives the other 2N - 2 embeddings;
 * `loss_i = -log( exp(s_i,pos / τ) / Σ_{k≠i} exp(s_ik / τ) )`, returned as the mean over the 2N
 * anchors (a scalar). Symmetric in z1 <-> z2. All N rows identical gives log(2N - 1).
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: NtXentOptions = {}): tf.Scalar {
  assertOptions(options, 'ntXentLoss');
  const { temperature = 0.5 } = options;
  assertFloatTensor(z1, 2, 'ntXentLoss', 'z1');
  assertSameShape(z2, z1, 'ntXentLoss', 'z2', 'z1');
  assertFloatTensor(z2, 2, 'ntXentLoss', 'z2');
  assertPositive(temperature, 'ntXentLoss', 'temperature');
  const n = z1.shape[0];
  return tf.tidy(() => {
    const z = l2Normalize(tf.concat([z1, z2], 0)); // [2N, D]
    const logits = tf.div(tf.matMul(z, tf.transpose(z)), temperature); // [2N, 2N]
    // An anchor is not its own negative: push the diagonal so far below every other logit
    // (all lie in [-1/τ, 1/τ]) that its exp is exactly 0 after the max shift.
    const selfMask = tf.mul(tf.eye(2 * n), -(2 / temperature + 1e3)); // [2N, 2N]
    const logNormaliser = logSumExp(tf.add(logits, selfMask), 1); // [2N]
    // The positive of anchor i is i + N (mod 2N); read it from the same logits, so that a lone
    // positive (N = 1) gives exactly 0.
    const partner = tf.tensor1d(
      Array.from({ length: 2 * n }, (_, i) => (i + n) % (2 * n)),
      'int32',
    ); // [2N]
    const positives = tf.sum(tf.mul(logits, tf.oneHot(partner, 2 * n)), 1); // [2N]
    return tf.mean(tf.sub(logNormaliser, positives)) as tf.Scalar;
  });
}
