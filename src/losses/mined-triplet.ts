import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertNonNegative, assertOneOf, assertSameShape, describe, formatShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertBoolean, assertFloatTensor, assertOptions } from './check.js';

export type TripletMining = 'random' | 'hardest' | 'semi-hard';
export const TRIPLET_MININGS: readonly TripletMining[] = ['random', 'hardest', 'semi-hard'];

export interface MinedTripletOptions {
  /** Margin m. @default 0.2 (FaceNet, arXiv:1503.03832, §3: squared distances of unit embeddings) */
  margin?: number;
  /**
   * Which of the batch's other samples is the negative of anchor i: `'random'` one drawn
   * uniformly; `'hardest'` the closest; `'semi-hard'` the closest that is farther than the
   * positive (FaceNet §3.2), or, where none is, the farthest (TensorFlow Addons'
   * `triplet_semihard_loss` fallback).
   * @default 'semi-hard' (FaceNet, arXiv:1503.03832, §3.2)
   */
  mining?: TripletMining;
  /** L2-normalise the embeddings first (FaceNet's unit hypersphere). @default true (FaceNet, §2) */
  normalize?: boolean;
  /** Draws the random negatives; required with `mining: 'random'`. */
  rng?: Rng;
}

const BIG = 1e9;

/**
 * One-hot `[N, N]` of each anchor's semi-hard negative from the squared distances `dist`
 * (`dist[i][j] = ||a_i - p_j||²`): the closest j ≠ i farther than the positive (d_ij > d_ii), or,
 * where none is, the farthest. The choice has no gradient: the mining runs as the forward pass of
 * a custom gradient that returns zeros, so its comparisons (tf.greater has no gradient) stay off
 * the tape and nothing is read back to the host.
 */
const semiHardPick = tf.customGrad((...inputs) => {
  const dist = inputs[0] as tf.Tensor2D; // [N, N]
  const n = dist.shape[0];
  const eye = tf.eye(n);
  const farther = tf.mul(tf.cast(tf.greater(dist, tf.sum(tf.mul(dist, eye), 1, true)), 'float32'), tf.sub(1, eye)); // [N, N]: j ≠ i with d_ij > d_ii
  const semi = tf.argMin(tf.add(dist, tf.mul(tf.sub(1, farther), BIG)), 1); // [N]
  const farthest = tf.argMax(tf.sub(dist, tf.mul(eye, BIG)), 1); // [N]
  const chosen = tf.where(tf.greater(tf.sum(farther, 1), 0), semi, farthest); // [N]
  return { value: tf.cast(tf.oneHot(chosen, n), 'float32'), gradFunc: (_dy: tf.Tensor) => tf.zerosLike(dist) };
}) as (dist: tf.Tensor2D) => tf.Tensor2D;

/**
 * Triplet loss with negatives mined from the batch, in the squared-distance form of FaceNet
 * (Schroff et al. 2015, https://arxiv.org/abs/1503.03832, Eq. 2):
 * `mean_i max(0, ||a_i - p_i||² - ||a_i - p_n(i)||² + m)`.
 *
 * - `anchor`, `positive`: [N, D] (N >= 2); row i of each is a positive pair. The candidates for
 *   anchor i's negative are the positives p_j of the other samples j ≠ i.
 *
 * The mined index has no gradient; the loss is differentiated through the chosen distances.
 */
export function minedTripletLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, options: MinedTripletOptions = {}): tf.Scalar {
  const fn = 'minedTripletLoss';
  assertOptions(options, fn);
  const { margin = 0.2, mining = 'semi-hard', normalize = true, rng } = options;
  assertFloatTensor(anchor, 2, fn, 'anchor');
  assertSameShape(positive, anchor, fn, 'positive', 'anchor');
  assertFloatTensor(positive, 2, fn, 'positive');
  assertNonNegative(margin, fn, 'margin');
  assertOneOf(mining, TRIPLET_MININGS, fn, 'mining');
  assertBoolean(normalize, fn, 'normalize');
  const n = anchor.shape[0];
  if (n < 2)
    throw new ShapeError(
      fn,
      'anchor',
      `must have at least 2 rows (the negatives are the other samples), got shape ${formatShape(anchor.shape)}`,
    );
  if (mining === 'random' && (rng === undefined || typeof rng.int !== 'function'))
    throw new ConfigError(fn, 'rng', `must be an Rng with mining 'random', got ${describe(rng)}`);
  let pick: Float32Array | undefined;
  if (mining === 'random') {
    pick = new Float32Array(n * n);
    for (let i = 0; i < n; i++) pick[i * n + ((i + 1 + rng!.int(n - 1)) % n)] = 1; // uniform over j ≠ i
  }
  return tf.tidy(() => {
    const a = normalize ? l2Normalize(anchor) : anchor; // [N, D]
    const p = normalize ? l2Normalize(positive) : positive; // [N, D]
    const aSq = tf.sum(tf.square(a), 1, true); // [N, 1]
    const pSq = tf.reshape(tf.sum(tf.square(p), 1), [1, n]); // [1, N]
    const dist = tf.relu(tf.sub(tf.add(aSq, pSq), tf.mul(tf.matMul(a, tf.transpose(p)), 2))) as tf.Tensor2D; // [N, N]: ||a_i - p_j||²
    const eye = tf.eye(n);
    const dPos = tf.sum(tf.mul(dist, eye), 1); // [N]
    let dNeg: tf.Tensor;
    if (pick !== undefined) {
      dNeg = tf.sum(tf.mul(dist, tf.tensor2d(pick, [n, n])), 1); // [N]
    } else if (mining === 'hardest') {
      dNeg = tf.min(tf.add(dist, tf.mul(eye, BIG)), 1); // [N]: closest j ≠ i
    } else {
      dNeg = tf.sum(tf.mul(dist, semiHardPick(dist)), 1); // [N]: the semi-hard one's distance
    }
    return tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), margin))) as tf.Scalar;
  });
}
