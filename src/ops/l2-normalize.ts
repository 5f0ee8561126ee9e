import * as tf from '../tf.js';
import { assertFloat, assertInteger, assertPositive, assertRank } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface L2NormalizeOptions {
  /** Axis along which each vector is normalised; negative counts from the end. @default -1 (the feature axis) */
  axis?: number;
  /**
   * Lower bound on the norm, so a zero vector stays zero instead of becoming NaN.
   * @default 1e-12 (PyTorch `F.normalize`)
   */
  epsilon?: number;
}

/**
 * Divides every vector along `axis` by its Euclidean norm: `x / max(||x||, epsilon)`, as PyTorch's
 * `F.normalize`. Computed as `x * rsqrt(max(sum x^2, epsilon^2))`, whose gradient is finite
 * everywhere (zero vectors get a zero gradient through the norm). Any rank >= 1, float32.
 */
export function l2Normalize<T extends tf.Tensor>(x: T, { axis = -1, epsilon = 1e-12 }: L2NormalizeOptions = {}): T {
  assertRank(x, [1, 2, 3, 4, 5, 6], 'l2Normalize', 'x');
  assertFloat(x, 'l2Normalize', 'x');
  assertInteger(axis, 'l2Normalize', 'axis', -x.rank);
  if (axis >= x.rank) throw new ConfigError('l2Normalize', 'axis', `must be in [${-x.rank}, ${x.rank - 1}], got ${axis}`);
  assertPositive(epsilon, 'l2Normalize', 'epsilon');
  return tf.tidy(() => {
    const sumSq = tf.sum(tf.square(x), axis, true); // x's shape with 1 at `axis`
    return tf.mul(x, tf.rsqrt(tf.maximum(sumSq, epsilon * epsilon))) as T;
  });
}
