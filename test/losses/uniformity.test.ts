import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { uniformity, uniformityLoss } from '../../src/losses/uniformity.js';
import { l2Normalize } from '../../src/ops/l2-normalize.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';
import { randMat, uniformityRef, type Mat } from './reference.js';
import { checkGradients, value } from './helpers.js';

before(() => useBackend());

const unit = (m: Mat): Mat =>
  m.map((r) => {
    const n = Math.hypot(...r);
    return r.map((v) => Math.fround(v / n));
  });
const loss = (x: Mat, t?: number): number => tf.tidy(() => value(uniformityLoss(tf.tensor2d(x), t === undefined ? {} : { t })));

test('uniformityLoss: matches the naive loop for several shapes and t', () => {
  const next = rng(41);
  for (const [n, d, t] of [
    [2, 3, 2],
    [8, 4, 2],
    [17, 8, 1],
    [32, 16, 5],
    [5, 2, 0.5],
  ] as const) {
    const x = unit(randMat(n, d, next));
    assertClose(loss(x, t), uniformityRef(x, t), 1e-5, 1e-5, `N=${n} D=${d} t=${t}`);
  }
});

test('uniformityLoss: closed forms, identical rows give 0, an antipodal pair gives -4t; default t is 2', () => {
  const row = [0.6, 0, -0.8];
  assertClose(loss([row, row, row, row], 2), 0, 0, 1e-6);
  assertClose(loss([row, row.map((v) => -v)], 3), -12, 1e-6, 1e-6);
  assertClose(loss([row, row.map((v) => -v)]), -8, 1e-6, 1e-6);
});

test('uniformityLoss: hand-computed case', () => {
  // e1, e2, -e1 with t = 1: squared distances 2, 4, 2 -> log((2 e^-2 + e^-4) / 3).
  assertClose(
    loss(
      [
        [1, 0],
        [0, 1],
        [-1, 0],
      ],
      1,
    ),
    Math.log((2 * Math.exp(-2) + Math.exp(-4)) / 3),
    1e-6,
    1e-7,
  );
});

test('uniformityLoss: numerically stable for large t (no underflow to log 0)', () => {
  const x = unit(randMat(6, 3, rng(42)));
  const got = loss(x, 1000);
  assert.ok(Number.isFinite(got), `got ${got}`);
  assertClose(got, uniformityRef(x, 1000), 1e-4, 1e-3);
});

test('uniformity: the plain-number helper equals the loss and leaks nothing', () => {
  const x = l2Normalize(tf.randomNormal([10, 5]) as tf.Tensor2D);
  const before = tf.memory().numTensors;
  const u = uniformity(x, { t: 2 });
  assert.equal(typeof u, 'number');
  assert.equal(tf.memory().numTensors, before);
  assertClose(u, value(uniformityLoss(x)), 1e-7, 0);
  x.dispose();
});

test('uniformityLoss: gradients match finite differences', () => {
  const next = rng(43);
  for (const [n, t] of [
    [2, 2],
    [5, 2],
    [6, 0.5],
  ] as const) {
    checkGradients(
      (a) => uniformityLoss(a!, { t }),
      (a) => uniformityRef(a!, t),
      [unit(randMat(n, 4, next))],
    );
  }
});

test('uniformityLoss: leaks nothing, returns a scalar', () => {
  const x = tf.randomNormal([9, 4]) as tf.Tensor2D;
  const out = uniformityLoss(x);
  assert.deepEqual(out.shape, []);
  out.dispose();
  assertNoLeak(() => uniformityLoss(x), 'uniformityLoss');
  assertNoLeak(() => tf.dispose(tf.grads((a: tf.Tensor) => uniformityLoss(a as tf.Tensor2D))([x])), 'its gradient');
  x.dispose();
});

test('uniformityLoss: bad input throws typed errors naming the argument', () => {
  const one = tf.zeros([1, 8]) as tf.Tensor2D;
  const x = tf.zeros([4, 8]) as tf.Tensor2D;
  const v = tf.zeros([8]);
  const ints = tf.zeros([4, 8], 'int32') as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const is = (cls: new (...args: never[]) => Error, re: RegExp) => (e: unknown) => e instanceof cls && re.test((e as Error).message);
  assert.throws(
    () => uniformityLoss(one),
    is(ShapeError, /^uniformityLoss: `x` must have at least 2 rows \(pairs i < j\), got shape \[1, 8\]$/),
  );
  assert.throws(() => uniformityLoss(v as never), is(ShapeError, /`x` must have rank 2, got rank 1 with shape \[8\]/));
  assert.throws(() => uniformityLoss(ints), is(ShapeError, /`x` must have dtype float32, got int32/));
  assert.throws(() => uniformity(one), is(ShapeError, /^uniformityLoss: `x`/));
  assert.throws(() => uniformityLoss(x, { t: -2 }), is(ConfigError, /uniformityLoss: `t` must be > 0, got -2/));
  assert.throws(() => uniformityLoss(x, { t: Infinity }), is(ConfigError, /`t` must be a finite number, got Infinity/));
  assert.equal(tf.memory().numTensors, before, 'throwing leaks nothing');
  tf.dispose([one, x, v, ints]);
});
