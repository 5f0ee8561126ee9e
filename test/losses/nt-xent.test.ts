import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { ntXentLoss } from '../../src/losses/nt-xent.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';
import { ntXentRef, randMat } from './reference.js';
import { checkGradients, value } from './helpers.js';

before(() => useBackend());

const loss = (a: number[][], b: number[][], temperature?: number): number =>
  tf.tidy(() => value(ntXentLoss(tf.tensor2d(a), tf.tensor2d(b), temperature === undefined ? {} : { temperature })));

test('ntXentLoss: matches the naive loop for several shapes and temperatures', () => {
  const next = rng(1);
  for (const [n, d, tau] of [
    [1, 3, 0.5],
    [2, 4, 0.1],
    [5, 8, 0.5],
    [16, 32, 1],
    [7, 3, 0.05],
    [6, 5, 0.001],
  ] as const) {
    const z1 = randMat(n, d, next);
    const z2 = randMat(n, d, next);
    assertClose(loss(z1, z2, tau), ntXentRef(z1, z2, tau), 1e-5, 1e-5, `N=${n} D=${d} τ=${tau}`);
  }
});

test('ntXentLoss: the default temperature is 0.5', () => {
  const next = rng(2);
  const z1 = randMat(4, 5, next);
  const z2 = randMat(4, 5, next);
  assertClose(loss(z1, z2), ntXentRef(z1, z2, 0.5), 1e-5, 1e-6);
  assert.ok(Math.abs(loss(z1, z2) - ntXentRef(z1, z2, 0.1)) > 1e-2);
});

test('ntXentLoss: parallel embeddings give log(2N - 1) for any temperature', () => {
  for (const [n, tau] of [
    [1, 0.5],
    [4, 0.5],
    [9, 0.1],
    [32, 2],
  ] as const) {
    const row = [0.3, -1.2, 2.0];
    const z = Array.from({ length: n }, (_, i) => row.map((v) => v * (i + 1))); // same direction, other lengths
    assertClose(loss(z, z, tau), Math.log(2 * n - 1), 1e-5, 1e-6, `N=${n}`);
  }
});

test('ntXentLoss: a lone pair (N = 1) has no negatives and gives exactly 0, for any temperature', () => {
  for (const tau of [0.5, 0.01, 1e-6]) assert.equal(loss([[1, 2, 3]], [[-3, 0.5, 2]], tau), 0);
});

test('ntXentLoss: hand-computed case, two orthogonal pairs', () => {
  // z = e1, e2, e1, e2 with τ = 1: anchor e1 has its positive e1 (cos 1) and the negatives e2, e2
  // (cos 0); the same for every anchor -> loss = log(e^1 + 2 e^0) - 1.
  const e = [
    [1, 0],
    [0, 1],
  ];
  assertClose(loss(e, e, 1), Math.log(Math.E + 2) - 1, 1e-6, 1e-7);
  // Opposite positives: z2 = -z1, τ = 1: positive cos -1, negatives cos 0 and 0 -> log(e^-1 + 2) + 1.
  assertClose(
    loss(
      e,
      e.map((r) => r.map((v) => -v)),
      1,
    ),
    Math.log(Math.exp(-1) + 2) + 1,
    1e-6,
    1e-7,
  );
});

test('ntXentLoss: symmetric in z1 <-> z2 and invariant to row scaling', () => {
  const next = rng(3);
  const z1 = randMat(6, 4, next);
  const z2 = randMat(6, 4, next);
  assertClose(loss(z2, z1, 0.2), loss(z1, z2, 0.2), 1e-6, 1e-6);
  assertClose(
    loss(
      z1.map((r, i) => r.map((v) => v * (i + 0.5))),
      z2,
      0.2,
    ),
    loss(z1, z2, 0.2),
    1e-5,
    1e-6,
  );
});

test('ntXentLoss: gradients match finite differences of the float64 reference', () => {
  const next = rng(4);
  for (const [n, d, tau] of [
    [1, 3, 0.5],
    [3, 4, 0.5],
    [5, 6, 0.2],
  ] as const) {
    const z1 = randMat(n, d, next);
    const z2 = randMat(n, d, next);
    checkGradients(
      (a, b) => ntXentLoss(a!, b!, { temperature: tau }),
      (a, b) => ntXentRef(a!, b!, tau),
      [z1, z2],
    );
  }
});

test('ntXentLoss: leaks nothing, returns a scalar', () => {
  const z1 = tf.randomNormal([8, 16]) as tf.Tensor2D;
  const z2 = tf.randomNormal([8, 16]) as tf.Tensor2D;
  const out = ntXentLoss(z1, z2);
  assert.deepEqual(out.shape, []);
  out.dispose();
  assertNoLeak(() => ntXentLoss(z1, z2), 'ntXentLoss');
  assertNoLeak(
    () => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D))([z1, z2])),
    'its gradient',
  );
  assert.equal(z1.isDisposed, false);
  tf.dispose([z1, z2]);
});

test('ntXentLoss: bad input throws typed errors naming the argument', () => {
  const a = tf.zeros([32, 128]) as tf.Tensor2D;
  const b = tf.zeros([32, 64]) as tf.Tensor2D;
  const vec = tf.zeros([4]);
  const ints = tf.zeros([32, 128], 'int32') as tf.Tensor2D;
  const empty = tf.zeros([0, 4]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  assert.throws(
    () => ntXentLoss(a, b),
    (e: unknown) =>
      e instanceof ShapeError && (e as Error).message === 'ntXentLoss: `z2` must have shape [32, 128] (same as z1), got [32, 64]',
  );
  assert.throws(
    () => ntXentLoss(vec as never, b),
    (e: unknown) => e instanceof ShapeError && /ntXentLoss: `z1` must have rank 2, got rank 1 with shape \[4\]/.test((e as Error).message),
  );
  assert.throws(
    () => ntXentLoss(a, a, { temperature: 0 }),
    (e: unknown) => e instanceof ConfigError && /ntXentLoss: `temperature` must be > 0, got 0/.test((e as Error).message),
  );
  assert.throws(() => ntXentLoss(a, a, { temperature: -1 }), ConfigError);
  assert.throws(
    () => ntXentLoss(a, a, { temperature: NaN }),
    (e: unknown) => e instanceof ConfigError && /NaN/.test((e as Error).message),
  );
  assert.throws(
    () => ntXentLoss(ints, a),
    (e: unknown) => e instanceof ShapeError && /ntXentLoss: `z1` must have dtype float32, got int32/.test((e as Error).message),
  );
  assert.throws(
    () => ntXentLoss(a, ints),
    (e: unknown) => e instanceof ShapeError && /`z2` must have dtype float32/.test((e as Error).message),
  );
  assert.throws(
    () => ntXentLoss([[1]] as never, a),
    (e: unknown) => e instanceof ShapeError && /`z1` must be a tensor, got an array/.test((e as Error).message),
  );
  assert.throws(
    () => ntXentLoss(empty, empty),
    (e: unknown) => e instanceof ShapeError && /must not be empty/.test((e as Error).message),
  );
  assert.equal(tf.memory().numTensors, before, 'throwing leaks nothing');
  tf.dispose([a, b, vec, ints, empty]);
});
