/**
 * MoCo's shuffling BatchNorm in one process. MoCo (He et al. 2020, arXiv:1911.05722, §3.3) computes
 * the keys with BatchNorm in training mode on each GPU's share of the batch, after shuffling the
 * samples across GPUs: a query and its key are then normalised with statistics of different
 * sub-batches, so the model cannot match them through the statistics they share instead of
 * through their content (the "cheating" the paper measures without it). Here the key batch is
 * permuted, cut into groups of about `groupSize` (MoCo: 256 over 8 GPUs, 32 each), each group goes
 * through the key models in training mode, and the keys are put back in the batch's order.
 *
 * Computing keys in training mode also keeps them on the same footing as the queries from the
 * first step: with inference-mode keys, BatchNorm's moving statistics (an average of ~100 steps,
 * then the key encoder's own EMA of ~100 more) lag far behind in a run of a few hundred steps.
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';

/** MoCo's keys per BatchNorm group: a 256 batch over 8 GPUs. */
export const KEY_GROUP_SIZE = 32;

/** A permutation of `n` samples and the sizes of the consecutive groups it is cut into (as even as possible). */
export function shuffledGroups(n: number, groupSize: number, rng: Rng): { order: Int32Array; sizes: number[] } {
  const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const groups = Math.max(1, Math.round(n / groupSize));
  const sizes = Array.from({ length: groups }, (_, g) => Math.floor((n * (g + 1)) / groups) - Math.floor((n * g) / groups));
  return { order, sizes };
}

/**
 * The keys `[N, P]` of `x`: `model` (the key encoder and head) applied in training mode to each
 * shuffled group, rows back in `x`'s order. No gradient is recorded by the caller's tape if it
 * runs outside it. A batch of fewer than two groups' worth is one group (still training mode).
 */
export function shuffledKeyGroups(model: (x: tf.Tensor) => tf.Tensor2D, x: tf.Tensor, rng: Rng, groupSize = KEY_GROUP_SIZE): tf.Tensor2D {
  const n = x.shape[0]!;
  const { order, sizes } = shuffledGroups(n, groupSize, rng);
  return tf.tidy(() => {
    const shuffled = tf.gather(x, tf.tensor1d(order, 'int32'));
    const parts = sizes.length === 1 ? [shuffled] : tf.split(shuffled, sizes, 0);
    const keys = tf.concat(
      parts.map((p) => model(p)),
      0,
    ) as tf.Tensor2D;
    const back = new Int32Array(n);
    order.forEach((from, to) => (back[from] = to));
    return tf.gather(keys, tf.tensor1d(back, 'int32'));
  });
}
