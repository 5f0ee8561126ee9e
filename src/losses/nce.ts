import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { assertSameShape, assertShape, describe } from '../validate.js';
import { assertFloatTensor } from './check.js';

/** The four score tensors of {@link nceLoss}. */
export interface NceInputs {
  /** [N] the model's unnormalised log-probabilities `s(x_i)` of the N data points. */
  dataScores: tf.Tensor1D;
  /** [N, K] the model's unnormalised log-probabilities `s(n_ij)` of K noise samples per data point. */
  noiseScores: tf.Tensor2D;
  /** [N] the noise distribution's log-probabilities `log p_n(x_i)` of the data points. */
  dataLogNoise: tf.Tensor1D;
  /** [N, K] the noise distribution's log-probabilities `log p_n(n_ij)` of the noise samples. */
  noiseLogNoise: tf.Tensor2D;
}

/**
 * Binary noise-contrastive estimation (Gutmann & Hyvärinen 2010,
 * https://proceedings.mlr.press/v9/gutmann10a.html; with K noise samples per datum as in Mnih & Teh
 * 2012, https://arxiv.org/abs/1206.6426). The model is unnormalised: NCE learns the
 * normaliser, so at the optimum `exp(s(u))` is the data density itself.
 *
 * Shapes: `dataScores` [N], `noiseScores` [N, K], `dataLogNoise` [N], `noiseLogNoise` [N, K].
 * With k = K, `h(u) = sigmoid(s(u) - log(k p_n(u)))` is the probability that u came from the
 * data, and the loss is `-mean_i [ log h(x_i) + Σ_j log(1 - h(n_ij)) ]`, a scalar, computed in the
 * stable forms `log sigmoid(v) = -softplus(-v)` and `log(1 - sigmoid(v)) = -softplus(v)`.
 */
export function nceLoss(inputs: NceInputs): tf.Scalar {
  if (inputs === null || typeof inputs !== 'object') {
    throw new ConfigError(
      'nceLoss',
      'inputs',
      `must be an object { dataScores, noiseScores, dataLogNoise, noiseLogNoise }, got ${describe(inputs)}`,
    );
  }
  const { dataScores, noiseScores, dataLogNoise, noiseLogNoise } = inputs;
  assertFloatTensor(dataScores, 1, 'nceLoss', 'dataScores');
  const n = dataScores.shape[0];
  assertShape(noiseScores, [n, -1], 'nceLoss', 'noiseScores', `[N, K] with N = ${n} from dataScores`);
  assertFloatTensor(noiseScores, 2, 'nceLoss', 'noiseScores');
  assertSameShape(dataLogNoise, dataScores, 'nceLoss', 'dataLogNoise', 'dataScores');
  assertFloatTensor(dataLogNoise, 1, 'nceLoss', 'dataLogNoise');
  assertSameShape(noiseLogNoise, noiseScores, 'nceLoss', 'noiseLogNoise', 'noiseScores');
  assertFloatTensor(noiseLogNoise, 2, 'nceLoss', 'noiseLogNoise');
  const logK = Math.log(noiseScores.shape[1]);
  return tf.tidy(() => {
    const dataLogit = tf.sub(tf.sub(dataScores, dataLogNoise), logK); // [N]: s(x) - log(k p_n(x))
    const noiseLogit = tf.sub(tf.sub(noiseScores, noiseLogNoise), logK); // [N, K]
    const dataTerm = tf.softplus(tf.neg(dataLogit)); // [N]: -log h(x_i)
    const noiseTerm = tf.sum(tf.softplus(noiseLogit), 1); // [N]: -Σ_j log(1 - h(n_ij))
    return tf.mean(tf.add(dataTerm, noiseTerm)) as tf.Scalar;
  });
}
