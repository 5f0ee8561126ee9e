/** `stopGradient`: identity forward, zero gradient backward (a value used as a constant in a loss). */
import * as tf from '../tf.js';

/** Identity forward, zero gradient backward. The caller owns the result. */
export const stopGradient = tf.customGrad((...inputs) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as <T extends tf.Tensor>(x: T) => T;
