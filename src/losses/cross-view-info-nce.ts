import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertPositive, assertSameShape } from '../validate.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface CrossViewInfoNceOptions {
  /** Temperature τ. @default 0.07 (HobbitLong/CMC, `nce_t`) */
  temperature?: number;
}

/**
 * In-batch InfoNCE between two views, both directions, summed:
 * `mean_b -log softmax_c(a_b.b_c / τ)[b] + mean_b -log softmax_c(b_b.a_c / τ)[b]`: each row of `a`
 * has the same row of `b` as its positive and the other rows of `b` as negatives, and the other
 * way round. `a`, `b`: `[N, D]`, L2-normalised here. A scalar; with a single edge of the CMC graph
 * it is `infoNceLoss(a, b, <the other rows of b>) + infoNceLoss(b, a, <the other rows of a>)`.
 */
export function crossViewInfoNceLoss(a: tf.Tensor2D, b: tf.Tensor2D, options: CrossViewInfoNceOptions = {}): tf.Scalar {
  const fn = 'crossViewInfoNceLoss';
  assertOptions(options, fn);
  const { temperature = 0.07 } = options;
  assertFloatTensor(a, 2, fn, 'a');
  assertSameShape(b, a, fn, 'b', 'a');
  assertFloatTensor(b, 2, fn, 'b');
  assertPositive(temperature, fn, 'temperature');
  return tf.tidy(() => {
    const za = l2Normalize(a); // [N, D]
    const zb = l2Normalize(b); // [N, D]
    const logits = tf.div(tf.matMul(za, tf.transpose(zb)), temperature); // [N, N]: row = anchor of a, column = row of b
    const positive = tf.div(tf.sum(tf.mul(za, zb), 1), temperature); // [N]: the diagonal
    const fromA = tf.mean(logSumExp(logits, 1)); // anchors of a against b's batch
    const fromB = tf.mean(logSumExp(logits, 0)); // anchors of b against a's batch
    return tf.sub(tf.add(fromA, fromB), tf.mul(tf.mean(positive), 2)) as tf.Scalar;
  });
}
