import * as tf from '../tf.js';
import { ShapeError } from '../errors.js';

/**
 * The momentum (EMA) update of a key model from a query model (MoCo, arXiv:1911.05722, Eq. 2):
 * `θ_k <- m θ_k + (1 - m) θ_q` for every weight, trainable or not (BatchNorm's moving statistics
 * too, so that the key model in inference mode follows the query model's). `m = 0` copies.
 * The models must have the same architecture (weights in the same order and shapes).
 * `when` (a boolean scalar): where false, the key model keeps its weights (decided on the device).
 */
export function momentumUpdate(key: tf.LayersModel, query: tf.LayersModel, momentum: number, when?: tf.Scalar): void {
  const kw = key.weights;
  const qw = query.weights;
  if (kw.length !== qw.length)
    throw new ShapeError('momentumUpdate', 'key', `must have the query model's ${qw.length} weights, got ${kw.length}`);
  kw.forEach((w, i) => {
    const q = qw[i]!;
    if (w.shape.join(',') !== q.shape.join(','))
      throw new ShapeError(
        'momentumUpdate',
        'key',
        `weight ${i} (${w.originalName}) must have shape [${q.shape}] like the query model's, got [${w.shape}]`,
      );
    const next = tf.tidy(() => {
      const ema = momentum === 0 ? tf.clone(q.read()) : tf.add(tf.mul(w.read(), momentum), tf.mul(q.read(), 1 - momentum));
      return when === undefined ? ema : tf.where(when, ema, w.read());
    });
    w.write(next);
    next.dispose();
  });
}
