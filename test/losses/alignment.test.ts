import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { alignment, alignmentLoss } from '../../src/losses/alignment.js';
import { l2Normalize } from '../../src/ops/l2-normalize.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';
import { alignmentRef, randMat, type Mat } from './reference.js';
import { checkGradients, gradsOf, value } from './helpers.js';

before(() => useBackend());

const unit = (m: Mat): Mat =>
  m.map((r) => {
    const n = Math.hypot(...r);
    return r.map((v) => Math.fround(v / n));
  });
const loss = (x: Mat, y: Mat, alpha?: number): number =>
  tf.tidy(() => value(alignmentLoss(tf.tensor2d(x), tf.tensor2d(y), alpha === undefined ? {} : { alpha })));

test('alignmentLoss: matches the naive loop for several alphas', () => {
  const next = rng(31);
  for (const [n, d, alpha] of [
    [1, 3, 2],
    [8, 4, 2],
    [8, 4, 1],
    [5, 16, 0.5],
    [6, 2, 3],
  ] as const) {
    const [x, y] = [unit(randMat(n, d, next)), unit(randMat(n, d, next))];
    assertClose(loss(x, y, alpha), alignmentRef(x, y, alpha), 1e-5, 1e-6, `N=${n} D=${d} α=${alpha}`);
  }
});

test('alignmentLoss: closed forms, identical pairs give 0, antipodal unit pairs give 2^alpha; default alpha is 2', () => {
  const next = rng(32);
  const x = unit(randMat(5, 4, next));
  const minus = x.map((r) => r.map((v) => -v));
  for (const alpha of [0.5, 1, 2, 3]) {
    assert.equal(loss(x, x, alpha), 0);
    assertClose(loss(x, minus, alpha), 2 ** alpha, 1e-5, 1e-6, `α=${alpha}`);
  }
  assertClose(loss(x, minus), 4, 1e-5, 1e-6);
});

test('alignmentLoss: hand-computed case, and no normalisation inside', () => {
  // Rows (0,0)-(3,4) at distance 5 and (1,0)-(1,0) at 0: α = 2 -> (25 + 0) / 2; α = 1 -> 5 / 2.
  const x = [
    [0, 0],
    [1, 0],
  ];
  const y = [
    [3, 4],
    [1, 0],
  ];
  assertClose(loss(x, y, 2), 12.5, 1e-6, 1e-7);
  assertClose(loss(x, y, 1), 2.5, 1e-6, 1e-7);
});

test('alignment: the plain-number helper equals the loss and leaks nothing', () => {
  const x = l2Normalize(tf.randomNormal([6, 5]) as tf.Tensor2D);
  const y = l2Normalize(tf.randomNormal([6, 5]) as tf.Tensor2D);
  const before = tf.memory().numTensors;
  const a = alignment(x, y, { alpha: 1 });
  assert.equal(typeof a, 'number');
  assert.equal(tf.memory().numTensors, before);
  assertClose(a, value(alignmentLoss(x, y, { alpha: 1 })), 1e-7, 0);
  tf.dispose([x, y]);
});

test('alignmentLoss: gradients match finite differences; a zero distance has a zero gradient', () => {
  const next = rng(33);
  for (const alpha of [2, 1, 1.5]) {
    const [x, y] = [randMat(4, 3, next), randMat(4, 3, next)];
    checkGradients(
      (a, b) => alignmentLoss(a!, b!, { alpha }),
      (a, b) => alignmentRef(a!, b!, alpha),
      [x, y],
    );
  }
  const x = tf.tensor2d([[0.6, 0.8]]);
  const y = tf.tensor2d([[0.6, 0.8]]);
  for (const alpha of [0.5, 1, 2]) {
    const [gx, gy] = gradsOf((a, b) => alignmentLoss(a as tf.Tensor2D, b as tf.Tensor2D, { alpha }), [x, y]);
    assertClose([...gx!, ...gy!], [0, 0, 0, 0], 0, 0, `α=${alpha}`);
  }
  tf.dispose([x, y]);
});

test('alignmentLoss: leaks nothing, returns a scalar', () => {
  const x = tf.randomNormal([8, 4]) as tf.Tensor2D;
  const y = tf.randomNormal([8, 4]) as tf.Tensor2D;
  for (const alpha of [2, 1]) {
    const out = alignmentLoss(x, y, { alpha });
    assert.deepEqual(out.shape, []);
    out.dispose();
    assertNoLeak(() => alignmentLoss(x, y, { alpha }), 'alignmentLoss');
    assertNoLeak(() => tf.dispose(tf.grads((a: tf.Tensor) => alignmentLoss(a as tf.Tensor2D, y, { alpha }))([x])), 'its gradient');
  }
  tf.dispose([x, y]);
});

test('alignmentLoss: bad input throws typed errors naming the argument', () => {
  const x = tf.zeros([4, 8]) as tf.Tensor2D;
  const y = tf.zeros([3, 8]) as tf.Tensor2D;
  const ints = tf.zeros([4, 8], 'int32') as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const is = (cls: new (...args: never[]) => Error, re: RegExp) => (e: unknown) => e instanceof cls && re.test((e as Error).message);
  assert.throws(() => alignmentLoss(x, y), is(ShapeError, /^alignmentLoss: `y` must have shape \[4, 8\] \(same as x\), got \[3, 8\]$/));
  assert.throws(() => alignmentLoss(ints, x), is(ShapeError, /`x` must have dtype float32, got int32/));
  assert.throws(() => alignment(x, y), is(ShapeError, /^alignmentLoss: `y`/));
  assert.throws(() => alignmentLoss(x, x, { alpha: 0 }), is(ConfigError, /alignmentLoss: `alpha` must be > 0, got 0/));
  assert.throws(() => alignmentLoss(x, x, { alpha: NaN }), is(ConfigError, /`alpha` must be a finite number, got NaN/));
  assert.equal(tf.memory().numTensors, before, 'throwing leaks nothing');
  tf.dispose([x, y, ints]);
});
