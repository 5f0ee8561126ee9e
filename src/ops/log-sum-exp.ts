/**
 * `logSumExp(x, axis, keepDims)`: log Σ exp(x) along `axis`, computed as tf.logSumExp does (the
 * maximum subtracted first), with the analytic gradient dx = dy · exp((x - max) - log Σ exp(x - max))
 * = dy · softmax(x). tf.logSumExp's recorded gradient also runs back through the subtracted maximum,
 * whose contribution is exactly 0 (the sum is invariant to the shift) but costs full-size passes:
 * the Max gradient's Equal mask, its Cast and Multiply, and the broadcast Sub's reduction. Every
 * softmax-style loss here (NT-Xent, InfoNCE, DCL, InvaSpread, uniformity) takes it once a step on
 * its [2N, 2N] logits.
 */
import * as tf from '../tf.js';

/** The axis list `tf.logSumExp` would reduce, normalised to non-negative indices. */
function axes(rank: number, axis: number | number[] | undefined): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  return tf.util.parseAxisParam(
    axis,
    Array.from({ length: rank }, () => 1),
  );
}

/**
 * log Σ exp(x) over `axis` (default: every axis), as `tf.logSumExp`; its gradient is dy ·
 * softmax(x) along those axes. The caller owns the result.
 */
export function logSumExp<T extends tf.Tensor>(x: tf.Tensor, axis?: number | number[], keepDims = false): T {
  const reduced = axes(x.rank, axis);
  const op = tf.customGrad((...inputs) => {
    const input = inputs[0] as tf.Tensor;
    const save = inputs[inputs.length - 1] as unknown as (ts: tf.Tensor[]) => void;
    const m = tf.max(input, reduced, true);
    const shifted = tf.sub(input, m); // x - max: the softmax below stays exact where x is large
    const logSum = tf.log(tf.sum(tf.exp(shifted), reduced, true));
    save([shifted, logSum]);
    const kept = tf.add(m, logSum);
    return {
      value: keepDims ? kept : tf.squeeze(kept, reduced),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ls] = saved as [tf.Tensor, tf.Tensor];
        const dyKept = keepDims ? dy : tf.reshape(dy, ls.shape);
        return tf.mul(dyKept, tf.exp(tf.sub(xs, ls)));
      },
    };
  });
  return op(x) as T;
}
