import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { infoNceLoss, type InfoNceOptions } from '../../src/losses/info-nce.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';
import { infoNceRef, randMat, type Mat } from './reference.js';
import { checkGradients, value } from './helpers.js';

before(() => useBackend());

const loss = (q: Mat, p: Mat, neg: Mat | Mat[], opts: InfoNceOptions = {}): number =>
  tf.tidy(() =>
    value(
      infoNceLoss(tf.tensor2d(q), tf.tensor2d(p), Array.isArray(neg[0]![0]) ? tf.tensor3d(neg as Mat[]) : tf.tensor2d(neg as Mat), opts),
    ),
  );

const chunk = (m: Mat, k: number): Mat[] => Array.from({ length: m.length / k }, (_, i) => m.slice(i * k, (i + 1) * k));

test('infoNceLoss: matches the naive loop, shared [K, D] and per-query [N, K, D] negatives', () => {
  const next = rng(11);
  for (const [n, k, d, tau, normalize] of [
    [1, 1, 3, 0.07, true],
    [4, 6, 5, 0.07, true],
    [3, 10, 8, 0.5, false],
    [8, 2, 4, 1, true],
  ] as const) {
    const q = randMat(n, d, next);
    const p = randMat(n, d, next);
    const shared = randMat(k, d, next);
    const perQuery = chunk(randMat(n * k, d, next), k);
    const opts = { temperature: tau, normalize };
    assertClose(loss(q, p, shared, opts), infoNceRef(q, p, shared, tau, normalize), 1e-5, 1e-5, `shared N=${n} K=${k}`);
    assertClose(loss(q, p, perQuery, opts), infoNceRef(q, p, perQuery, tau, normalize), 1e-5, 1e-5, `per-query N=${n} K=${k}`);
  }
});

test('infoNceLoss: defaults are temperature 0.07 and normalize true', () => {
  const next = rng(12);
  const [q, p, neg] = [randMat(3, 4, next), randMat(3, 4, next), randMat(5, 4, next)];
  assertClose(loss(q, p, neg), infoNceRef(q, p, neg, 0.07, true), 1e-5, 1e-5);
});

test('infoNceLoss: shared negatives equal the same negatives tiled per query', () => {
  const next = rng(13);
  const [q, p, neg] = [randMat(4, 6, next), randMat(4, 6, next), randMat(7, 6, next)];
  assertClose(loss(q, p, [neg, neg, neg, neg], { temperature: 0.2 }), loss(q, p, neg, { temperature: 0.2 }), 1e-6, 1e-6);
});

test('infoNceLoss: all vectors parallel give log(K + 1)', () => {
  for (const k of [1, 5, 64]) {
    const row = [1, -2, 0.5, 3];
    const q = [row, row.map((v) => 2 * v)];
    const neg = Array.from({ length: k }, (_, i) => row.map((v) => v * (i + 1)));
    assertClose(loss(q, q, neg), Math.log(k + 1), 1e-5, 1e-6, `K=${k}`);
  }
});

test('infoNceLoss: hand-computed case', () => {
  // q = p = e1, negatives e2 and -e1, τ = 1: logits [1, 0, -1] -> log(e + 1 + 1/e) - 1.
  const expected = Math.log(Math.E + 1 + Math.exp(-1)) - 1;
  assertClose(
    loss(
      [[1, 0]],
      [[1, 0]],
      [
        [0, 1],
        [-1, 0],
      ],
      { temperature: 1 },
    ),
    expected,
    1e-6,
    1e-7,
  );
  // Without normalisation lengths count: q = p = 2 e1 gives logits [q.p, q.e2, q.(-e1)] = [4, 0, -2].
  const raw = Math.log(Math.exp(4) + 1 + Math.exp(-2)) - 4;
  assertClose(
    loss(
      [[2, 0]],
      [[2, 0]],
      [
        [0, 1],
        [-1, 0],
      ],
      { temperature: 1, normalize: false },
    ),
    raw,
    1e-6,
    1e-7,
  );
});

test('infoNceLoss: gradients match finite differences (both layouts, both normalize modes)', () => {
  const next = rng(14);
  const [n, k, d] = [3, 4, 5];
  for (const normalize of [true, false]) {
    const tau = normalize ? 0.2 : 1;
    const [q, p, shared, flat] = [randMat(n, d, next), randMat(n, d, next), randMat(k, d, next), randMat(n * k, d, next)];
    checkGradients(
      (a, b, c) => infoNceLoss(a!, b!, c!, { temperature: tau, normalize }),
      (a, b, c) => infoNceRef(a!, b!, c!, tau, normalize),
      [q, p, shared],
    );
    checkGradients(
      (a, b, c) => infoNceLoss(a!, b!, tf.reshape(c!, [n, k, d]) as tf.Tensor3D, { temperature: tau, normalize }),
      (a, b, c) => infoNceRef(a!, b!, chunk(c!, k), tau, normalize),
      [q, p, flat],
    );
  }
});

test('infoNceLoss: leaks nothing, returns a scalar', () => {
  const q = tf.randomNormal([4, 8]) as tf.Tensor2D;
  const neg2 = tf.randomNormal([16, 8]) as tf.Tensor2D;
  const neg3 = tf.randomNormal([4, 3, 8]) as tf.Tensor3D;
  for (const neg of [neg2, neg3]) {
    const out = infoNceLoss(q, q, neg);
    assert.deepEqual(out.shape, []);
    out.dispose();
    assertNoLeak(() => infoNceLoss(q, q, neg), 'infoNceLoss');
    assertNoLeak(
      () => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => infoNceLoss(a as tf.Tensor2D, q, b as tf.Tensor2D))([q, neg])),
      'its gradient',
    );
  }
  tf.dispose([q, neg2, neg3]);
});

test('infoNceLoss: bad input throws typed errors naming the argument', () => {
  const q = tf.zeros([4, 8]) as tf.Tensor2D;
  const p = tf.zeros([4, 6]) as tf.Tensor2D;
  const negWrongD = tf.zeros([10, 6]) as tf.Tensor2D;
  const neg3Wrong = tf.zeros([5, 3, 8]) as tf.Tensor3D;
  const neg1 = tf.zeros([8]);
  const ints = tf.zeros([4, 8], 'int32') as tf.Tensor2D;
  const noNeg = tf.zeros([0, 8]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const is = (cls: new (...args: never[]) => Error, re: RegExp) => (e: unknown) => e instanceof cls && re.test((e as Error).message);
  assert.throws(
    () => infoNceLoss(q, p, q),
    is(ShapeError, /^infoNceLoss: `positive` must have shape \[4, 8\] \(same as query\), got \[4, 6\]$/),
  );
  assert.throws(
    () => infoNceLoss(q, q, negWrongD),
    is(ShapeError, /`negatives` must have shape \[\*, 8\] \(\[K, D\] with D = 8 from query\), got \[10, 6\]/),
  );
  assert.throws(() => infoNceLoss(q, q, neg3Wrong), is(ShapeError, /`negatives` must have shape \[4, \*, 8\].*got \[5, 3, 8\]/));
  assert.throws(() => infoNceLoss(q, q, neg1 as never), is(ShapeError, /`negatives` must have rank 2 or rank 3, got rank 1/));
  assert.throws(() => infoNceLoss(ints, q, q), is(ShapeError, /`query` must have dtype float32, got int32/));
  assert.throws(() => infoNceLoss(q, q, noNeg), is(ShapeError, /`negatives` must not be empty/));
  assert.throws(() => infoNceLoss(q, q, q, { temperature: 0 }), is(ConfigError, /infoNceLoss: `temperature` must be > 0, got 0/));
  assert.throws(() => infoNceLoss(q, q, q, { temperature: NaN }), is(ConfigError, /`temperature` must be a finite number, got NaN/));
  assert.throws(() => infoNceLoss(q, q, q, { normalize: 'yes' as never }), is(ConfigError, /`normalize` must be a boolean, got 'yes'/));
  assert.equal(tf.memory().numTensors, before, 'throwing leaks nothing');
  tf.dispose([q, p, negWrongD, neg3Wrong, neg1, ints, noNeg]);
});
