import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { stopGradient } from '../ops/stop-gradient.js';
import { assertPositive, assertSameShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertBoolean, assertFloatTensor, assertOptions } from './check.js';

export interface InvaSpreadOptions {
  /** Softmax temperature τ. @default 0.1 (Ye et al. 2019, arXiv:1904.03436, Section 4.1) */
  temperature?: number;
  /**
   * Let gradients flow through the "key" side of every inner product too. The reference code
   * detaches it (`torch.mm(x, x.t().data)`, `x * reordered_x.data`), so each feature receives
   * gradients only as an anchor.
   * @default false (reference code, github.com/mangye16/Unsupervised_Embedding_Learning, BatchAverage.py)
   */
  keyGradients?: boolean;
}

/**
 * Invariant and Spreading Instance Feature loss (Ye et al. 2019, https://arxiv.org/abs/1904.03436,
 * Eq. 5-7), computed as the authors' reference code does.
 *
 * - `features`: [N, D] features f_i of N instances.
 * - `augmented`: [N, D] features f̂_i of one augmented view of each; row i pairs with row i.
 *
 * Both are L2-normalised first. The 2N rows z = [f; f̂] all act as anchors a. For anchor a, over
 * the 2N - 1 other rows k: `P_ak = exp(z_a.z_k/τ) / Σ_{k'≠a} exp(z_a.z_k'/τ)`; the positive is
 * a's other view p(a). The loss (a scalar) is
 *
 *   `-(1 / 2N) Σ_a [ log P_a,p(a) + Σ_{k ∉ {a, p(a)}} log(1 - P_ak) ]`.
 *
 * Gradients: by default only the anchor side of each inner product is differentiated; the other
 * side is a constant (stop-gradient), as in the reference code. Both `features` and `augmented`
 * receive gradients (every row is an anchor), just not through their role as keys of the other
 * anchors. `keyGradients: true` differentiates both sides.
 *
 * The paper writes the anchor as the augmented view and sums the denominator over the N
 * originals; the reference code (followed here) symmetrises over all 2N rows.
 */
export function invaSpreadLoss(features: tf.Tensor2D, augmented: tf.Tensor2D, options: InvaSpreadOptions = {}): tf.Scalar {
  const fn = 'invaSpreadLoss';
  assertOptions(options, fn);
  const { temperature = 0.1, keyGradients = false } = options;
  assertFloatTensor(features, 2, fn, 'features');
  assertSameShape(augmented, features, fn, 'augmented', 'features');
  assertFloatTensor(augmented, 2, fn, 'augmented');
  assertPositive(temperature, fn, 'temperature');
  assertBoolean(keyGradients, fn, 'keyGradients');
  const n = features.shape[0];
  return tf.tidy(() => {
    const z = l2Normalize(tf.concat([features, augmented])); // [2N, D]
    const keys = keyGradients ? z : stopGradient(z); // [2N, D]
    const eye = tf.eye(2 * n); // [2N, 2N]
    const partner = tf.concat([tf.concat([tf.zeros([n, n]), tf.eye(n)], 1), tf.concat([tf.eye(n), tf.zeros([n, n])], 1)]); // [2N, 2N]: a <-> p(a)
    const negatives = tf.sub(tf.sub(1, eye), partner); // [2N, 2N]: k ∉ {a, p(a)}
    const sim = tf.div(tf.matMul(z, tf.transpose(keys)), temperature); // [2N, 2N]
    const logits = tf.sub(sim, tf.mul(eye, 1e9)); // [2N, 2N]: the anchor itself drops out
    const logP = tf.sub(logits, logSumExp(logits, 1, true)); // [2N, 2N]: log P_ak
    const positiveTerm = tf.sum(tf.mul(logP, partner)); // Σ_a log P_a,p(a)
    const logPNegatives = tf.sub(logP, tf.mul(tf.sub(1, negatives), 1e9)); // [2N, 2N]: ~ -1e9 where k ∈ {a, p(a)} (P_a,p(a) may be 1)
    const negativeTerm = tf.sum(tf.mul(log1mExp(logPNegatives), negatives)); // Σ_a Σ_k log(1 - P_ak)
    return tf.div(tf.add(positiveTerm, negativeTerm), -2 * n) as tf.Scalar;
  });
}

/**
 * `log(1 - exp(x))` for x <= 0, accurate at both ends (Mächler 2012: `log(-expm1(x))` near 0,
 * `log1p(-exp(x))` below -ln 2). Its gradient is written out, `-1 / expm1(-x)`, because the
 * branch choice (`tf.greater`) has no gradient in tfjs.
 */
const log1mExp = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as (tensors: tf.Tensor[]) => void;
  save([x]);
  const near = tf.log(tf.neg(tf.expm1(x))); // x close to 0
  const far = tf.log1p(tf.neg(tf.exp(x))); // x far below 0
  return {
    value: tf.where(tf.greater(x, -Math.LN2), near, far),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(tf.neg(dy), tf.expm1(tf.neg(saved[0]!))),
  };
}) as (x: tf.Tensor) => tf.Tensor;
