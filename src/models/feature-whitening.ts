/**
 * Shrinkage whitening of a representation h, fitted on the training data once training is done,
 * and appended to the encoder as a fixed Dense layer: h' = (h - μ) W with
 * W = ((1 - α) Σ + α (tr Σ / D) I)^(-1/2), Σ the covariance of h over the training data and α the
 * shrinkage toward the isotropic covariance (Ledoit & Wolf 2004's target). α = 0 is ZCA whitening
 * (every direction of h at unit variance), α = 1 plain centring up to a scale.
 *
 * Why: the directions of h have very unequal variance, so cosine similarity, and with it kNN and
 * search, is decided by a few high-variance directions while the rest of what the encoder learnt
 * hardly counts. Whitening the descriptors on the training data is the standard remedy of image
 * retrieval (Jégou & Chum, ECCV 2012, "Negative evidences and co-occurrences in image retrieval:
 * the benefit of PCA and whitening"); shrinking the covariance halfway keeps the low-variance
 * directions, often noise, from being blown up to the same weight. A linear probe sees the same
 * information either way. Measured in BENCHMARKS.md ("Whitening h"): on `npm start`'s encoder
 * kNN at 1% of the labels rises by about 5 points, for the random encoder (whitened on its own
 * features) as well as the trained one.
 *
 * Browser-safe: the covariance is a matMul on the backend, the eigendecomposition (D x D) runs in
 * ml-matrix.
 */
import * as tf from '../tf.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { ConfigError, DataError } from '../errors.js';
import { assertFeatures, assertFiniteValues, featureValues, type Features } from '../eval/features.js';
import { describe } from '../validate.js';

/** The name of the whitening layer at the end of a whitened encoder. */
export const FEATURE_WHITENING_LAYER = 'feature_whitening';

/** α, the shrinkage of the covariance toward the isotropic one: halfway (BENCHMARKS.md, "Whitening h"). */
export const DEFAULT_WHITENING_SHRINKAGE = 0.5;

export interface FitWhiteningOptions {
  /** α in [0, 1]: 0 whitens fully (ZCA), 1 only centres. @default DEFAULT_WHITENING_SHRINKAGE (0.5) */
  shrinkage?: number;
}

/** A fitted whitening: h' = (h - mean) matrix. */
export interface FeatureWhitening {
  /** The mean of h over the rows it was fitted on, `[D]`. */
  mean: Float32Array;
  /** W, `[D, D]` row-major, symmetric. */
  matrix: Float32Array;
  /** D. */
  dim: number;
  /** α it was fitted with. */
  shrinkage: number;
  /** How many rows it was fitted on. */
  rows: number;
}

/**
 * Fits the shrinkage whitening of `features` (`[N, D]`, N >= 2, e.g. the encoder's h of a sample
 * of the training data). Features with no variance at all (a collapsed encoder) are only centred.
 */
export async function fitWhitening(
  features: Features,
  { shrinkage = DEFAULT_WHITENING_SHRINKAGE }: FitWhiteningOptions = {},
): Promise<FeatureWhitening> {
  const [n, d] = assertFeatures(features, 'fitWhitening', 'features', 2);
  if (typeof shrinkage !== 'number' || !(shrinkage >= 0 && shrinkage <= 1))
    throw new ConfigError('fitWhitening', 'shrinkage', `must be a number in [0, 1], got ${describe(shrinkage)}`);
  const values = await featureValues(features);
  assertFiniteValues(values, d, 'fitWhitening', 'features');
  const [meanT, covT] = tf.tidy(() => {
    const x = tf.tensor2d(values, [n, d]); // [N, D]
    const mean = tf.mean(x, 0); // [D]
    const xc = tf.sub(x, mean); // [N, D]
    return [mean, tf.div(tf.matMul(xc, xc, true, false), n)]; // [D], [D, D]
  });
  const mean = (await meanT.data()) as Float32Array;
  const cov = (await covT.array()) as number[][];
  meanT.dispose();
  covT.dispose();
  const trace = cov.reduce((s, row, i) => s + row[i]!, 0);
  const matrix = new Float32Array(d * d);
  if (!(trace > 0)) {
    for (let i = 0; i < d; i++) matrix[i * d + i] = 1; // nothing varies: centring only
    return { mean, matrix, dim: d, shrinkage, rows: n };
  }
  const target = trace / d; // the isotropic covariance's variance
  const evd = new EigenvalueDecomposition(new Matrix(cov), { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix; // [D, D], eigenvectors in columns
  // eigenvalues below float32's resolution of the covariance are zero (a direction nothing varies in)
  const zero = 1e-6 * trace;
  const scale = evd.realEigenvalues.map((e) => 1 / Math.sqrt((1 - shrinkage) * (e > zero ? e : 0) + shrinkage * target));
  if (scale.some((s) => !Number.isFinite(s)))
    throw new DataError(
      'fitWhitening',
      'features',
      'has a covariance that cannot be whitened without shrinkage (rank-deficient); use shrinkage > 0',
    );
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += v.get(i, k) * scale[k]! * v.get(j, k);
      matrix[i * d + j] = s;
      matrix[j * d + i] = s;
    }
  }
  return { mean, matrix, dim: d, shrinkage, rows: n };
}

/** Checks that `whitening` is a FeatureWhitening of `dim` columns. */
function assertWhitening(whitening: FeatureWhitening, dim: number, fn: string): void {
  if (
    whitening === null ||
    typeof whitening !== 'object' ||
    !(whitening.matrix instanceof Float32Array) ||
    !(whitening.mean instanceof Float32Array)
  )
    throw new ConfigError(fn, 'whitening', `must be a FeatureWhitening (fitWhitening's result), got ${describe(whitening)}`);
  if (whitening.dim !== dim || whitening.mean.length !== dim || whitening.matrix.length !== dim * dim)
    throw new ConfigError(fn, 'whitening', `must whiten ${dim} columns (the encoder's output), got ${whitening.dim}`);
}

/** `(x - mean) W` for features `x` `[N, D]`. The caller owns the result. */
export function applyWhitening(x: tf.Tensor2D, whitening: FeatureWhitening): tf.Tensor2D {
  assertFeatures(x, 'applyWhitening', 'x');
  assertWhitening(whitening, x.shape[1], 'applyWhitening');
  const d = whitening.dim;
  return tf.tidy(() => tf.matMul(tf.sub(x, tf.tensor1d(whitening.mean)), tf.tensor2d(whitening.matrix, [d, d]))); // [N, D]
}

/** A whitened encoder: `model` shares the encoder's layers; `dispose()` frees only the whitening layer. */
export interface WhitenedEncoder {
  /** inputs -> whitened h. */
  model: tf.LayersModel;
  /** Frees the whitening layer's weights (not the encoder's). */
  dispose(): void;
}

/**
 * `encoder` followed by `whitening` as one flat model (its last layer FEATURE_WHITENING_LAYER, a
 * Dense with kernel W and bias -μW), to save as the run's encoder: every reader of the saved model
 * (eval, embed, index, a user's own code) gets the whitened h.
 */
export function whitenEncoder(encoder: tf.LayersModel, whitening: FeatureWhitening): WhitenedEncoder {
  if (!(encoder instanceof tf.LayersModel))
    throw new ConfigError('whitenEncoder', 'encoder', `must be a tf.LayersModel, got ${describe(encoder)}`);
  const out = encoder.outputs[0]!;
  if (encoder.outputs.length !== 1 || out.shape.length !== 2)
    throw new ConfigError(
      'whitenEncoder',
      'encoder',
      `must have one output [N, D], got ${JSON.stringify(encoder.outputs.map((o) => o.shape))}`,
    );
  const d = out.shape[1]!;
  assertWhitening(whitening, d, 'whitenEncoder');
  const layer = tf.layers.dense({ units: d, name: FEATURE_WHITENING_LAYER, trainable: false });
  const h = layer.apply(out) as tf.SymbolicTensor; // [N, D]
  const [kernel, bias] = tf.tidy(() => {
    const w = tf.tensor2d(whitening.matrix, [d, d]);
    return [w, tf.neg(tf.reshape(tf.matMul(tf.tensor2d(whitening.mean, [1, d]), w), [d]))]; // [D, D], [D]
  });
  layer.setWeights([kernel, bias]);
  kernel.dispose();
  bias.dispose();
  return { model: tf.model({ inputs: encoder.inputs, outputs: h, name: encoder.name }), dispose: () => void layer.dispose() };
}

/**
 * The encoder without its whitening: the h the projection head was trained on (kNN on z reads
 * it). `encoder` itself when it has no whitening layer. The result shares `encoder`'s layers:
 * dispose `encoder`, not the result.
 */
export function withoutWhitening(encoder: tf.LayersModel): tf.LayersModel {
  const last = encoder.layers[encoder.layers.length - 1];
  if (last === undefined || last.name !== FEATURE_WHITENING_LAYER) return encoder;
  return tf.model({ inputs: encoder.inputs, outputs: last.input as tf.SymbolicTensor, name: encoder.name });
}
