/**
 * Dot products of every row of `a` with every row of `b`, batch by batch: `a [N, M, D]`,
 * `b [N, P, D]` -> `[N, M, P]` (a b^T per batch entry), differentiable, with no batched product
 * that transposes an operand. tfjs' own gradient of a batched matMul multiplies by a transposed
 * operand (`transposeB`), which the native backend runs about 100 times slower than the same
 * product on a materialised transpose (a CPC step's InfoNCE scores: 46 ms of CPU instead of
 * 0.6 ms); the wasm backend's transposed products are slow too (ENGINE.md).
 */
import * as tf from '../tf.js';

type Saver = (tensors: tf.Tensor[]) => void;

const scores = tf.customGrad(((...args: (tf.Tensor | Saver)[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, Saver];
  save([a, b]);
  return {
    value: tf.matMul(a, tf.transpose(b, [0, 2, 1])), // [N, M, P]
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
      const g = dy as tf.Tensor3D; // [N, M, P]
      return [tf.matMul(g, sb), tf.matMul(tf.transpose(g, [0, 2, 1]), sa)]; // [N, M, D], [N, P, D]
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** `[N, M, D]` x `[N, P, D]` -> `[N, M, P]`: a_i b_i^T for each i. */
export function batchedScores(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return scores(a, b) as tf.Tensor3D;
}
