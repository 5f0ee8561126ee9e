import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { ShapeError } from '../errors.js';
import { assertPositive, formatShape } from '../validate.js';
import { pairwiseSquaredDistances } from '../ops/pairwise-squared-distances.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface UniformityOptions {
  /** Scale t of the Gaussian potential `exp(-t ||x_i - x_j||^2)`. @default 2 (Wang & Isola 2020, arXiv:2005.10242, the setting of their experiments) */
  t?: number;
}

/**
 * Uniformity loss (Wang & Isola 2020, https://arxiv.org/abs/2005.10242, L_uniform):
 * `log mean_{i<j} exp(-t ||x_i - x_j||_2^2)`, a scalar in [-4t, 0] for unit vectors; lower is
 * more uniform on the hypersphere.
 *
 * - `x`: [N, D] with N >= 2, expected already L2-normalised (nothing is normalised here).
 *
 * Computed with a log-sum-exp over the N(N-1)/2 pairs, stable for any t.
 */
export function uniformityLoss(x: tf.Tensor2D, options: UniformityOptions = {}): tf.Scalar {
  assertOptions(options, 'uniformityLoss');
  const { t = 2 } = options;
  assertFloatTensor(x, 2, 'uniformityLoss', 'x');
  const n = x.shape[0];
  if (n < 2) throw new ShapeError('uniformityLoss', 'x', `must have at least 2 rows (pairs i < j), got shape ${formatShape(x.shape)}`);
  assertPositive(t, 'uniformityLoss', 't');
  const pairs = (n * (n - 1)) / 2;
  const upper = new Uint8Array(n * n); // 1 on the pairs i < j
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper[i * n + j] = 1;
  return tf.tidy(() => {
    const logits = tf.mul(pairwiseSquaredDistances(x), -t); // [N, N]: -t ||x_i - x_j||^2
    // Only the pairs i < j count: the others become -Infinity, whose exp is 0 in the log-sum-exp.
    // (A constant mask with tf.where, not tf.gather: gather's gradient has no wasm kernel.)
    const mask = tf.tensor2d(upper, [n, n], 'bool'); // [N, N]
    const masked = tf.where(mask, logits, tf.fill([n, n], -Infinity)); // [N, N]
    return tf.sub(logSumExp(masked), Math.log(pairs)) as tf.Scalar;
  });
}

/**
 * {@link uniformityLoss} as a plain number, for evaluation code (reads the value back
 * synchronously and frees the tensor). Same input and options.
 */
export function uniformity(x: tf.Tensor2D, options: UniformityOptions = {}): number {
  const loss = uniformityLoss(x, options);
  try {
    return loss.dataSync()[0]!;
  } finally {
    loss.dispose();
  }
}
