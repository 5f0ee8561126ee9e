/**
 * NCE shown working: an unnormalised categorical model (one free logit per symbol, no normaliser)
 * fitted by nceLoss learns the true probabilities *and* its own normalisation, sum(exp(score)) ~ 1,
 * without ever being normalised; more samples bring it closer.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { nceLoss } from '../../src/losses/nce.js';
import { rng, useBackend } from '../support/tensors.js';

before(() => useBackend());

const V = 24; // symbols
const K = 5; // noise samples per datum
const SMALL = 250; // data samples of the small fit
const LARGE = 4000; // data samples of the large fit
// The true distribution: Zipf-like, p_v ∝ (v + 1)^-1.1, from 0.28 down to 0.009.
const weights = Array.from({ length: V }, (_, v) => (v + 1) ** -1.1);
const total = weights.reduce((a, b) => a + b, 0);
const truth = weights.map((w) => w / total);

/** Draws `count` symbols from the categorical `probs` with a seeded stream. */
function sample(probs: number[], count: number, next: () => number): Int32Array {
  const cdf = probs.map(
    (
      (s) => (p: number) =>
        (s += p)
    )(0),
  );
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const u = next() * cdf[cdf.length - 1]!;
    let v = 0;
    while (v < V - 1 && cdf[v]! <= u) v++;
    out[i] = v;
  }
  return out;
}

interface Fit {
  /** exp(score) per symbol after training. */
  density: number[];
  /** The exact minimiser of this sample's NCE objective, exp(score*) = k p_n(v) c_v / m_v. */
  optimum: number[];
}

/**
 * Fits the V free logits by NCE with a uniform noise distribution on `n` samples of `truth`
 * (full batch, fixed noise samples). The score of symbol v is the lookup `scores[v]`, written as
 * `oneHot(x) . scores` because tf.gather's gradient is slow on the cpu backend.
 */
function fit(n: number, seed: number, steps = 250): Fit {
  const next = rng(seed);
  const data = sample(truth, n, next);
  const noise = sample(Array(V).fill(1 / V), n * K, next);
  const logNoise = Math.log(1 / V);
  const scores = tf.variable(tf.zeros([V, 1]), true, `nce-fit-${n}-${seed}`); // exp(0) = 1 per symbol: the sum starts at V, not 1
  const dataOneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data, 'int32'), V), 'float32')); // [n, V]
  const noiseOneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(noise, 'int32'), V), 'float32')); // [n K, V]
  const dataLogNoise = tf.fill([n], logNoise) as tf.Tensor1D;
  const noiseLogNoise = tf.fill([n, K], logNoise) as tf.Tensor2D;
  const optimizer = tf.train.adam(0.1);
  const lossAt = (): tf.Scalar =>
    nceLoss({
      dataScores: tf.reshape(tf.matMul(dataOneHot, scores), [n]) as tf.Tensor1D, // [n]
      noiseScores: tf.reshape(tf.matMul(noiseOneHot, scores), [n, K]) as tf.Tensor2D, // [n, K]
      dataLogNoise,
      noiseLogNoise,
    });
  optimizer.minimize(lossAt); // creates Adam's slots
  const live = tf.memory().numTensors;
  for (let step = 1; step < steps; step++) optimizer.minimize(lossAt);
  assert.equal(tf.memory().numTensors, live, 'a training step leaked tensors');
  const density = Array.from(scores.dataSync(), Math.exp);
  tf.dispose([scores, dataOneHot, noiseOneHot, dataLogNoise, noiseLogNoise]);
  optimizer.dispose();
  const dataCount = new Array<number>(V).fill(0);
  const noiseCount = new Array<number>(V).fill(0);
  for (const v of data) dataCount[v]!++;
  for (const v of noise) noiseCount[v]!++;
  const optimum = dataCount.map((c, v) => (K * (1 / V) * c) / noiseCount[v]!);
  return { density, optimum };
}

const totalVariation = (p: number[], q: number[]): number => p.reduce((s, v, i) => s + Math.abs(v - q[i]!), 0) / 2;

test('nceLoss fits an unnormalised categorical: sum(exp(score)) -> 1 and exp(score) -> p, closer with more samples', () => {
  const small = fit(SMALL, 7);
  const large = fit(LARGE, 8);

  // The optimiser reached this sample's NCE minimiser (known in closed form for this model).
  for (let v = 0; v < V; v++) {
    const rel = Math.abs(large.density[v]! - large.optimum[v]!) / large.optimum[v]!;
    assert.ok(rel < 0.03, `symbol ${v}: exp(score) ${large.density[v]} vs the sample optimum ${large.optimum[v]}`);
  }
  // Self-normalised without a normaliser: it started at sum = V = 24.
  const sumLarge = large.density.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sumLarge - 1) < 0.03, `sum(exp(score)) = ${sumLarge} on ${LARGE} samples, expected ~1`);
  const sumSmall = small.density.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sumSmall - 1) < 0.2, `sum(exp(score)) = ${sumSmall} on ${SMALL} samples, expected ~1`);
  // Matches the true probabilities, and more samples are closer.
  const tvLarge = totalVariation(large.density, truth);
  const tvSmall = totalVariation(small.density, truth);
  assert.ok(tvLarge < 0.05, `total variation to the truth ${tvLarge} on ${LARGE} samples`);
  assert.ok(tvSmall < 0.2, `total variation to the truth ${tvSmall} on ${SMALL} samples`);
  assert.ok(tvLarge < tvSmall / 2, `more samples must be closer: TV ${tvLarge} (${LARGE}) vs ${tvSmall} (${SMALL})`);
  console.log(
    `# NCE fit: sum(exp(score)) ${sumSmall.toFixed(4)} (n=${SMALL}), ${sumLarge.toFixed(4)} (n=${LARGE}); TV to truth ${tvSmall.toFixed(4)} vs ${tvLarge.toFixed(4)}`,
  );
});
