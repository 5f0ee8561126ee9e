import * as tf from '../tf.js';
import { assertFloat, assertPositive, assertRank } from '../validate.js';

/**
 * `x^exponent` for `x > 0` and `0` for `x <= 0`, with a gradient of `0` (not NaN or infinity) at
 * `x = 0`. Used for norms from squared norms, e.g. `safePow(sumSq, 0.5)`: the derivative of
 * `sqrt` is infinite at 0, and `0 * Infinity` is NaN in a chain rule. The zero subgradient is the
 * one PyTorch's `norm` uses at 0. `exponent` must be > 0. Any rank, float32.
 */
export function safePow<T extends tf.Tensor>(x: T, exponent: number): T {
  assertRank(x, [0, 1, 2, 3, 4, 5, 6], 'safePow', 'x');
  assertFloat(x, 'safePow', 'x');
  assertPositive(exponent, 'safePow', 'exponent');
  return tf.tidy(() => {
    // A 0/1 mask with a registered (zero) gradient; tf.greater has none, so tf.where would fail under tf.grad.
    const positive = tf.step(x); // 1 where x > 0, else 0
    const base = tf.add(tf.mul(positive, x), tf.sub(1, positive)); // x where x > 0, else 1: finite pow and gradient
    const powered = exponent === 0.5 ? tf.sqrt(base) : exponent === 1 ? base : tf.pow(base, exponent);
    return tf.mul(positive, powered) as T;
  });
}
