/**
 * NPID's binary NCE objective (Wu et al. 2018, https://arxiv.org/abs/1805.01978, Eq. 3-6) against a
 * memory bank: the model's non-parametric probability of instance i given feature v is
 * `P(i|v) = exp(m_i.v / τ) / Z`, the noise distribution is uniform, `P_n(i) = 1/N` over the N rows of
 * the bank, and K noise samples are drawn per datum. The loss itself is the project's `nceLoss`,
 * fed the scores `s = m.v/τ - log Z` and the noise log-probabilities `-log N`.
 *
 * Z is not learned: like the reference code it is estimated once, from the first batch, as
 * `Z ≈ N * mean(exp(m.v / τ))` over that batch's positive and noise scores, then kept fixed
 * (`estimateNceNormalizer`).
 */
import * as tf from '../tf.js';
import { nceLoss } from './nce.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { stopGradient } from '../ops/stop-gradient.js';
import { assertFloatTensor, assertOptions } from './check.js';
import { assertInteger, assertPositive, assertSameShape, assertShape } from '../validate.js';

export interface NpidNceOptions {
  /** Temperature τ of `exp(m.v / τ)`. @default 0.07 (NPID, arXiv:1805.01978, Section 3.1) */
  temperature?: number;
  /**
   * The fixed normaliser Z (from `estimateNceNormalizer` on the first batch), or a scalar tensor
   * holding it (`estimateNceNormalizerTensor`: the first step needs no read-back).
   */
  normalizer: number | tf.Scalar;
  /** N, the number of rows in the bank (the noise distribution is 1/N). */
  bankSize: number;
}

/** Scores `m.v / τ` of the positives `[B]` and of the shared noise samples `[B, K]`. */
function scores(features: tf.Tensor2D, positives: tf.Tensor2D, noiseT: tf.Tensor2D, temperature: number): [tf.Tensor1D, tf.Tensor2D] {
  const v = l2Normalize(features); // [B, D]
  const pos = tf.div(tf.sum(tf.mul(v, positives), 1), temperature) as tf.Tensor1D; // [B]
  const noise = tf.div(tf.matMul(v, noiseT), temperature) as tf.Tensor2D; // [B, D] x [D, K] -> [B, K]
  return [pos, noise];
}

function check(fn: string, features: tf.Tensor2D, positives: tf.Tensor2D, noiseT: tf.Tensor2D, temperature: unknown): void {
  assertFloatTensor(features, 2, fn, 'features');
  assertSameShape(positives, features, fn, 'positives', 'features');
  assertShape(noiseT, [features.shape[1], -1], fn, 'noiseT', `[D, K] with D = ${features.shape[1]} from features`);
  assertFloatTensor(noiseT, 2, fn, 'noiseT');
  assertPositive(temperature, fn, 'temperature');
}

/**
 * NPID's NCE loss (a scalar: `-mean_b [log h(i_b, v_b) + Σ_k log(1 - h(j_k, v_b))]`,
 * `h(i, v) = P(i|v) / (P(i|v) + K/N)`).
 *
 * - `features`: [B, D] features v (L2-normalised here).
 * - `positives`: [B, D] bank rows of the batch's own instances, read BEFORE this step's update.
 * - `noiseT`: [D, K] the K noise rows, shared by the batch, transposed (`MemoryBank.getTransposed`).
 *
 * Only `features` is meant to be differentiated; bank rows are data.
 */
export function npidNceLoss(features: tf.Tensor2D, positives: tf.Tensor2D, noiseT: tf.Tensor2D, options: NpidNceOptions): tf.Scalar {
  const fn = 'npidNceLoss';
  assertOptions(options, fn);
  const { temperature = 0.07, normalizer, bankSize } = options ?? ({} as NpidNceOptions);
  check(fn, features, positives, noiseT, temperature);
  if (!(normalizer instanceof tf.Tensor)) assertPositive(normalizer, fn, 'normalizer');
  assertInteger(bankSize, fn, 'bankSize');
  const logNoise = -Math.log(bankSize);
  return tf.tidy(() => {
    const logZ = normalizer instanceof tf.Tensor ? tf.log(stopGradient(normalizer)) : Math.log(normalizer);
    const [pos, noise] = scores(features, positives, noiseT, temperature);
    return nceLoss({
      dataScores: tf.sub(pos, logZ) as tf.Tensor1D, // [B]: log P(i|v)
      noiseScores: tf.sub(noise, logZ) as tf.Tensor2D, // [B, K]
      dataLogNoise: tf.fill(pos.shape, logNoise) as tf.Tensor1D, // [B]: log 1/N
      noiseLogNoise: tf.fill(noise.shape, logNoise) as tf.Tensor2D, // [B, K]
    });
  });
}

/**
 * The reference's one-off estimate of Z: `N * mean(exp(m.v / τ))` over the `[B, 1 + K]` scores of
 * one batch (positives and noise). A plain number (read back synchronously: see
 * `estimateNceNormalizerTensor` for a training step).
 */
export function estimateNceNormalizer(
  features: tf.Tensor2D,
  positives: tf.Tensor2D,
  noiseT: tf.Tensor2D,
  options: { temperature?: number; bankSize: number },
): number {
  const z = estimateNceNormalizerTensor(features, positives, noiseT, options);
  const value = z.dataSync()[0]!;
  z.dispose();
  return value;
}

/**
 * `estimateNceNormalizer` as a scalar tensor the caller owns, with no gradient (a constant of the
 * loss): a step uses it without reading it back, and reads it later with `await data()`.
 */
export function estimateNceNormalizerTensor(
  features: tf.Tensor2D,
  positives: tf.Tensor2D,
  noiseT: tf.Tensor2D,
  { temperature = 0.07, bankSize }: { temperature?: number; bankSize: number },
): tf.Scalar {
  const fn = 'estimateNceNormalizer';
  check(fn, features, positives, noiseT, temperature);
  assertInteger(bankSize, fn, 'bankSize');
  return tf.tidy(() => {
    const [pos, noise] = scores(features, positives, noiseT, temperature);
    const total = tf.add(tf.sum(tf.exp(pos)), tf.sum(tf.exp(noise)));
    return stopGradient(tf.mul(tf.div(total, pos.size + noise.size), bankSize)) as tf.Scalar;
  });
}
