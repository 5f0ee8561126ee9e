import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { tripletMarginLoss, type TripletMarginOptions } from '../../src/losses/triplet.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';
import { randMat, tripletRef, type Mat } from './reference.js';
import { checkGradients, gradsOf, value } from './helpers.js';

before(() => useBackend());

const loss = (a: Mat, p: Mat, n: Mat, opts: TripletMarginOptions = {}): number =>
  tf.tidy(() => value(tripletMarginLoss(tf.tensor2d(a), tf.tensor2d(p), tf.tensor2d(n), opts)));

test('tripletMarginLoss: matches the naive loop, squared and plain distances', () => {
  const next = rng(21);
  for (const [n, d, margin] of [
    [1, 2, 1],
    [6, 4, 1],
    [10, 8, 0.2],
    [5, 3, 0],
    [4, 16, 3],
  ] as const) {
    const [a, p, neg] = [randMat(n, d, next), randMat(n, d, next), randMat(n, d, next)];
    for (const squared of [true, false]) {
      assertClose(
        loss(a, p, neg, { margin, squared }),
        tripletRef(a, p, neg, margin, squared),
        1e-5,
        1e-5,
        `N=${n} D=${d} m=${margin} squared=${squared}`,
      );
    }
  }
});

test('tripletMarginLoss: defaults are margin 1, squared distances', () => {
  const next = rng(22);
  const [a, p, n] = [randMat(5, 3, next), randMat(5, 3, next), randMat(5, 3, next)];
  assertClose(loss(a, p, n), tripletRef(a, p, n, 1, true), 1e-5, 1e-6);
});

test('tripletMarginLoss: closed forms, a = p = n gives the margin, far negatives give 0', () => {
  const next = rng(23);
  const a = randMat(4, 5, next);
  for (const squared of [true, false]) {
    assertClose(loss(a, a, a, { margin: 0.7, squared }), 0.7, 1e-6, 1e-7);
    const far = a.map((r) => r.map((v) => v + 10));
    assert.equal(loss(a, a, far, { margin: 0.7, squared }), 0);
  }
});

test('tripletMarginLoss: hand-computed case', () => {
  // Triplet 1: D(a,p) = 5, D(a,n) = 1; triplet 2: D(a,p) = 0, D(a,n) = 2. Margin 0.5.
  const a = [
    [0, 0],
    [1, 1],
  ];
  const p = [
    [3, 4],
    [1, 1],
  ];
  const n = [
    [1, 0],
    [1, 3],
  ];
  assertClose(loss(a, p, n, { margin: 0.5 }), (25 - 1 + 0.5 + 0) / 2, 1e-6, 1e-7); // 0 - 4 + 0.5 < 0
  assertClose(loss(a, p, n, { margin: 0.5, squared: false }), (5 - 1 + 0.5 + 0) / 2, 1e-6, 1e-7); // 0 - 2 + 0.5 < 0
});

test('tripletMarginLoss: gradients match finite differences', () => {
  const next = rng(24);
  for (const squared of [true, false]) {
    const [a, p, n] = [randMat(6, 4, next), randMat(6, 4, next), randMat(6, 4, next)];
    const margin = squared ? 2 : 0.5;
    checkGradients(
      (x, y, z) => tripletMarginLoss(x!, y!, z!, { margin, squared }),
      (x, y, z) => tripletRef(x!, y!, z!, margin, squared),
      [a, p, n],
    );
  }
});

test('tripletMarginLoss: a zero distance gives a finite gradient (no NaN from sqrt at 0)', () => {
  // a = p exactly, negative at distance 0.6 < margin 1, so the hinge is active.
  const a = tf.tensor2d([[0.5, -1, 2]]);
  const p = tf.tensor2d([[0.5, -1, 2]]); // equal to a, but its own tensor
  const n = tf.tensor2d([[0.5, -1.6, 2]]);
  for (const squared of [false, true]) {
    const [ga, gp, gn] = gradsOf(
      (x, y, z) => tripletMarginLoss(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D, { squared }),
      [a, p, n],
    );
    // d/da of -D(a,n): plain -(a-n)/|a-n| = [0, -1, 0]; squared -2(a-n) = [0, -1.2, 0]. D(a,p) = 0 adds 0.
    const expected = squared ? [0, -1.2, 0] : [0, -1, 0];
    assertClose(ga!, expected, 1e-5, 1e-6, `d/danchor squared=${squared}`);
    assertClose(gp!, [0, 0, 0], 0, 1e-7, `d/dpositive squared=${squared}`);
    assertClose(
      gn!,
      expected.map((v) => -v),
      1e-5,
      1e-6,
      `d/dnegative squared=${squared}`,
    );
  }
  tf.dispose([a, p, n]);
});

test('tripletMarginLoss: leaks nothing, returns a scalar', () => {
  const a = tf.randomNormal([8, 4]) as tf.Tensor2D;
  const p = tf.randomNormal([8, 4]) as tf.Tensor2D;
  for (const squared of [true, false]) {
    const out = tripletMarginLoss(a, p, a, { squared });
    assert.deepEqual(out.shape, []);
    out.dispose();
    assertNoLeak(() => tripletMarginLoss(a, p, p, { squared }), 'tripletMarginLoss');
    assertNoLeak(() => tf.dispose(tf.grads((x: tf.Tensor) => tripletMarginLoss(x as tf.Tensor2D, p, a, { squared }))([a])), 'its gradient');
  }
  tf.dispose([a, p]);
});

test('tripletMarginLoss: bad input throws typed errors naming the argument', () => {
  const a = tf.zeros([4, 8]) as tf.Tensor2D;
  const b = tf.zeros([4, 6]) as tf.Tensor2D;
  const ints = tf.zeros([4, 8], 'int32') as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const is = (cls: new (...args: never[]) => Error, re: RegExp) => (e: unknown) => e instanceof cls && re.test((e as Error).message);
  assert.throws(
    () => tripletMarginLoss(a, b, a),
    is(ShapeError, /^tripletMarginLoss: `positive` must have shape \[4, 8\] \(same as anchor\), got \[4, 6\]$/),
  );
  assert.throws(() => tripletMarginLoss(a, a, b), is(ShapeError, /`negative` must have shape \[4, 8\] \(same as anchor\), got \[4, 6\]/));
  assert.throws(() => tripletMarginLoss(a, a, ints), is(ShapeError, /`negative` must have dtype float32, got int32/));
  assert.throws(() => tripletMarginLoss(a, a, a, { margin: -0.1 }), is(ConfigError, /tripletMarginLoss: `margin` must be >= 0, got -0.1/));
  assert.throws(() => tripletMarginLoss(a, a, a, { margin: NaN }), is(ConfigError, /`margin` must be a finite number, got NaN/));
  assert.throws(() => tripletMarginLoss(a, a, a, { squared: 1 as never }), is(ConfigError, /`squared` must be a boolean, got 1/));
  assert.equal(tf.memory().numTensors, before, 'throwing leaks nothing');
  tf.dispose([a, b, ints]);
});
