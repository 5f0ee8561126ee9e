import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import {
  applyWhitening,
  fitWhitening,
  whitenEncoder,
  withoutWhitening,
  FEATURE_WHITENING_LAYER,
  type FeatureWhitening,
} from '../../src/models/feature-whitening.js';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { useBackend, assertClose, assertNoLeak, assertNoLeakAsync, randn } from '../support/tensors.js';

before(async () => useBackend());

/** Rows (±2, 0) and (0, ±1) rotated by `angle` and shifted by (3, -1): covariance R diag(2, 0.5) Rᵀ, mean (3, -1). */
function rotatedCross(angle: number): Float32Array {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const rows = [
    [2, 0],
    [-2, 0],
    [0, 1],
    [0, -1],
  ];
  return Float32Array.from(rows.flatMap(([a, b]) => [c * a! - s * b! + 3, s * a! + c * b! - 1]));
}

/** W = R diag(1 / sqrt((1 - α) e + α ē)) Rᵀ for eigenvalues (2, 0.5), ē = 1.25: the closed form. */
function expectedMatrix(angle: number, shrinkage: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const [a, b] = [2, 0.5].map((e) => 1 / Math.sqrt((1 - shrinkage) * e + shrinkage * 1.25)) as [number, number];
  // R = [[c, -s], [s, c]]; R diag(a, b) Rᵀ
  return [c * c * a + s * s * b, c * s * (a - b), c * s * (a - b), s * s * a + c * c * b];
}

/** Covariance (1/N) of row-major [N, D] values, in float64. */
function covariance(values: ArrayLike<number>, dim: number): number[] {
  const n = values.length / dim;
  const mean = Array.from(
    { length: dim },
    (_, j) => Array.from({ length: n }, (__, i) => values[i * dim + j]!).reduce((s, v) => s + v, 0) / n,
  );
  const out = new Array<number>(dim * dim).fill(0);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < dim; b++) out[a * dim + b]! += ((values[i * dim + a]! - mean[a]!) * (values[i * dim + b]! - mean[b]!)) / n;
  return out;
}

test('fitWhitening: mean and W match the closed form R diag(((1-α)e + α ē)^(-1/2)) Rᵀ at α 0, 0.5 and 1', async () => {
  const angle = Math.PI / 6;
  for (const shrinkage of [0, 0.5, 1]) {
    const w = await fitWhitening({ data: rotatedCross(angle), dim: 2 }, { shrinkage });
    assert.equal(w.dim, 2);
    assert.equal(w.rows, 4);
    assert.equal(w.shrinkage, shrinkage);
    assertClose(w.mean, [3, -1], 1e-6, 1e-6, 'mean');
    assertClose(w.matrix, expectedMatrix(angle, shrinkage), 1e-5, 1e-6, `W at α ${shrinkage}`);
  }
});

test('fitWhitening: α 0 whitens (identity covariance), α 1 only centres and scales, the default keeps every variance in (0, 2)', async () => {
  const n = 600;
  const z = randn(n * 3, 7);
  // correlated columns with variances of very different size
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [z[3 * i]!, z[3 * i + 1]!, z[3 * i + 2]!];
    data.set([5 * a + 1, 2 * a + 0.5 * b - 2, 0.1 * c], 3 * i);
  }
  const whitened = async (shrinkage?: number): Promise<number[]> => {
    const w = await fitWhitening({ data, dim: 3 }, shrinkage === undefined ? {} : { shrinkage });
    const x = tf.tensor2d(data, [n, 3]);
    const y = applyWhitening(x, w);
    const out = covariance(await y.data(), 3);
    tf.dispose([x, y]);
    return out;
  };
  assertClose(await whitened(0), [1, 0, 0, 0, 1, 0, 0, 0, 1], 0, 2e-3, 'covariance after ZCA');
  const centred = await whitened(1);
  const raw = covariance(data, 3);
  const mean = (raw[0]! + raw[4]! + raw[8]!) / 3;
  assertClose(
    centred,
    raw.map((v) => v / mean),
    1e-3,
    1e-4,
    'covariance after α 1 (scaled by the mean variance)',
  );
  // the default: every variance is e / (0.5 e + 0.5 ē), in (0, 2): the smallest direction is lifted, the largest pulled down
  const half = await whitened();
  for (const i of [0, 4, 8]) assert.ok(half[i]! > 0 && half[i]! < 2, `variance ${half[i]} in (0, 2)`);
  assert.ok(half[8]! > raw[8]! / mean, 'the low-variance column gains weight');
  assert.ok(half[0]! < raw[0]! / mean, 'the high-variance column loses weight');
});

test('fitWhitening: features without variance are only centred; a rank-deficient covariance needs shrinkage', async () => {
  const constant = await fitWhitening({ data: Float32Array.from([1, 2, 1, 2, 1, 2]), dim: 2 });
  assertClose(constant.mean, [1, 2]);
  assertClose(constant.matrix, [1, 0, 0, 1]);
  const line = { data: Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]), dim: 2 }; // rank 1
  await assert.rejects(fitWhitening(line, { shrinkage: 0 }), DataError);
  // rank-deficient up to float32 rounding: the third column is the sum of the first two
  const z = randn(200, 5);
  const sum = Float32Array.from({ length: 300 }, (_, i) =>
    i % 3 === 2 ? z[2 * Math.floor(i / 3)]! + z[2 * Math.floor(i / 3) + 1]! : z[2 * Math.floor(i / 3) + (i % 3)]!,
  );
  await assert.rejects(fitWhitening({ data: sum, dim: 3 }, { shrinkage: 0 }), /rank-deficient/);
  const w = await fitWhitening(line); // shrinkage keeps it invertible
  assert.ok(w.matrix.every(Number.isFinite));
});

test('fitWhitening takes a tensor, leaks nothing and rejects bad input with typed errors', async () => {
  const x = tf.tensor2d(rotatedCross(0.3), [4, 2]);
  await assertNoLeakAsync(() => fitWhitening(x), 'fitWhitening');
  const fromTensor = await fitWhitening(x);
  const fromArray = await fitWhitening({ data: rotatedCross(0.3), dim: 2 });
  assertClose(fromTensor.matrix, fromArray.matrix);
  x.dispose();
  await assert.rejects(
    fitWhitening({ data: rotatedCross(0.3), dim: 2 }, { shrinkage: 1.5 }),
    /fitWhitening: `shrinkage` must be a number in \[0, 1\], got 1.5/,
  );
  await assert.rejects(fitWhitening({ data: Float32Array.from([1, 2]), dim: 2 }), ShapeError);
  await assert.rejects(fitWhitening({ data: Float32Array.from([1, 2, NaN, 4]), dim: 2 }), /finite values, got NaN at row 1/);
});

function tinyEncoder(): tf.LayersModel {
  const input = tf.input({ shape: [3] });
  const h = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'tiny_dense' }).apply(input);
  return tf.model({ inputs: input, outputs: h as tf.SymbolicTensor });
}

test('whitenEncoder: the model computes (h - μ) W with a last layer named feature_whitening; dispose frees only that layer', async () => {
  const encoder = tinyEncoder();
  const x = tf.tensor2d(randn(5 * 3, 3), [5, 3]);
  const h = encoder.predict(x) as tf.Tensor2D;
  const whitening: FeatureWhitening = await fitWhitening(h);
  const before = tf.memory().numTensors;
  const w = whitenEncoder(encoder, whitening);
  assert.equal(w.model.layers.at(-1)!.name, FEATURE_WHITENING_LAYER);
  assert.equal(w.model.trainableWeights.length, 2, "the encoder's kernel and bias only");
  assertNoLeak(() => w.model.predict(x) as tf.Tensor2D, 'predict');
  assertNoLeak(() => applyWhitening(h, whitening), 'applyWhitening');
  const y = w.model.predict(x) as tf.Tensor2D;
  const expected = applyWhitening(h, whitening);
  assertClose(await y.data(), await expected.data(), 1e-5, 1e-5, 'whitened h');
  // without the whitening: the encoder's own h
  const base = withoutWhitening(w.model);
  const hAgain = base.predict(x) as tf.Tensor2D;
  assertClose(await hAgain.data(), await h.data());
  assert.equal(withoutWhitening(encoder), encoder);
  tf.dispose([y, expected, hAgain]);
  w.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose frees the whitening weights');
  const still = encoder.predict(x) as tf.Tensor2D; // the encoder's weights are untouched
  assertClose(await still.data(), await h.data());
  tf.dispose([x, h, still]);
  encoder.dispose();
});

test('whitenEncoder rejects a whitening of another width and what is not a model', async () => {
  const encoder = tinyEncoder();
  const w3 = await fitWhitening({ data: randn(12, 2), dim: 3 });
  assert.throws(
    () => whitenEncoder(encoder, w3),
    (e: unknown) => e instanceof ConfigError && /must whiten 2 columns/.test(e.message),
  );
  assert.throws(() => whitenEncoder({} as tf.LayersModel, w3), /whitenEncoder: `encoder` must be a tf.LayersModel/);
  encoder.dispose();
});
