import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { assertPositive, assertRank, assertSameShape, assertShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertBoolean, assertFloatTensor, assertOptions } from './check.js';

export interface InfoNceOptions {
  /** Softmax temperature τ. @default 0.07 (MoCo, arXiv:1911.05722) */
  temperature?: number;
  /**
   * L2-normalise queries, positives and negatives first, so that logits are cosine similarities / τ.
   * With `false` the raw dot products are used (CPC's bilinear scores are passed in already projected).
   * @default true (MoCo, arXiv:1911.05722)
   */
  normalize?: boolean;
}

/**
 * InfoNCE (van den Oord et al. 2018, CPC, https://arxiv.org/abs/1807.03748; the temperature
 * form of MoCo, https://arxiv.org/abs/1911.05722).
 *
 * - `query`: [N, D] queries.
 * - `positive`: [N, D]; row i is the positive of query i.
 * - `negatives`: [K, D] negatives shared by every query (a memory bank or queue), or [N, K, D]
 *   negatives of each query.
 *
 * Logits per query are `[q.p, q.n_1, ..., q.n_K] / τ`, and the loss is the cross-entropy with the
 * positive as the target class (index 0), averaged over the N queries (a scalar).
 */
export function infoNceLoss(
  query: tf.Tensor2D,
  positive: tf.Tensor2D,
  negatives: tf.Tensor2D | tf.Tensor3D,
  options: InfoNceOptions = {},
): tf.Scalar {
  assertOptions(options, 'infoNceLoss');
  const { temperature = 0.07, normalize = true } = options;
  assertFloatTensor(query, 2, 'infoNceLoss', 'query');
  assertSameShape(positive, query, 'infoNceLoss', 'positive', 'query');
  assertFloatTensor(positive, 2, 'infoNceLoss', 'positive');
  const [n, d] = query.shape;
  assertRank(negatives, [2, 3], 'infoNceLoss', 'negatives');
  if (negatives.rank === 2) assertShape(negatives, [-1, d], 'infoNceLoss', 'negatives', `[K, D] with D = ${d} from query`);
  else assertShape(negatives, [n, -1, d], 'infoNceLoss', 'negatives', `[N, K, D] with N, D = ${n}, ${d} from query`);
  assertFloatTensor(negatives, negatives.rank, 'infoNceLoss', 'negatives');
  assertPositive(temperature, 'infoNceLoss', 'temperature');
  assertBoolean(normalize, 'infoNceLoss', 'normalize');
  return tf.tidy(() => {
    const q = normalize ? l2Normalize(query) : query; // [N, D]
    const p = normalize ? l2Normalize(positive) : positive; // [N, D]
    const neg = normalize ? l2Normalize(negatives) : negatives; // [K, D] or [N, K, D]
    const positiveLogit = tf.sum(tf.mul(q, p), 1, true); // [N, 1]
    const negativeLogits =
      neg.rank === 2
        ? tf.matMul(q, tf.transpose(neg)) // [N, K]
        : tf.squeeze(tf.matMul(neg as tf.Tensor3D, tf.expandDims(q, 2)), [2]); // [N, K, D] x [N, D, 1] -> [N, K]
    const logits = tf.div(tf.concat([positiveLogit, negativeLogits], 1), temperature); // [N, 1 + K]
    const logNormaliser = logSumExp(logits, 1); // [N]
    const target = tf.squeeze(tf.slice(logits, [0, 0], [-1, 1]), [1]); // [N]
    return tf.mean(tf.sub(logNormaliser, target)) as tf.Scalar;
  });
}
