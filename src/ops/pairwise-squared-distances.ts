import * as tf from '../tf.js';
import { assertFloat, assertRank, assertShape } from '../validate.js';

/**
 * Squared Euclidean distances between the rows of `a` [N, D] and the rows of `b` [M, D]
 * (default `b = a`): `out[i][j] = ||a_i - b_j||^2`, shape [N, M]. Computed as
 * `|a_i|^2 + |b_j|^2 - 2 a_i.b_j` (one matmul, O(N M) memory) and clamped at 0 against rounding.
 */
export function pairwiseSquaredDistances(a: tf.Tensor2D, b?: tf.Tensor2D): tf.Tensor2D {
  assertRank(a, 2, 'pairwiseSquaredDistances', 'a');
  assertFloat(a, 'pairwiseSquaredDistances', 'a');
  if (b !== undefined) {
    assertShape(b, [-1, a.shape[1]], 'pairwiseSquaredDistances', 'b', 'same number of columns as a');
    assertFloat(b, 'pairwiseSquaredDistances', 'b');
  }
  return tf.tidy(() => {
    const other = b ?? a;
    const aSq = tf.sum(tf.square(a), 1, true); // [N, 1]
    const bSq = tf.reshape(tf.sum(tf.square(other), 1), [1, -1]); // [1, M]
    const dot = tf.matMul(a, tf.transpose(other)); // [N, M] (explicit transpose: wasm is slow at transposeB)
    return tf.relu(tf.sub(tf.add(aSq, bSq), tf.mul(dot, 2))) as tf.Tensor2D; // [N, M]
  });
}
