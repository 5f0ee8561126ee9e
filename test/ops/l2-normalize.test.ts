import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { l2Normalize } from '../../src/ops/l2-normalize.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('l2Normalize: rows get unit norm along the last axis by default', () => {
  const x = tf.tensor2d([
    [3, 4],
    [0, -2],
    [1, 1],
  ]);
  const y = l2Normalize(x);
  assertClose(y.dataSync(), [0.6, 0.8, 0, -1, Math.SQRT1_2, Math.SQRT1_2], 1e-6, 1e-7);
  tf.dispose([x, y]);
});

test('l2Normalize: other axes, rank 3', () => {
  const data = randn(2 * 3 * 4, 1);
  const x = tf.tensor3d(data, [2, 3, 4]);
  for (const axis of [0, 1, -2, 2]) {
    const y = l2Normalize(x, { axis });
    const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(y), axis)));
    assertClose(norms.dataSync(), new Array(norms.size).fill(1), 1e-5, 1e-6, `axis ${axis}`);
    tf.dispose([y, norms]);
  }
  x.dispose();
});

test('l2Normalize: a zero vector stays zero and has a finite gradient', () => {
  const x = tf.tensor2d([
    [0, 0, 0],
    [1, 2, 2],
  ]);
  const y = l2Normalize(x);
  assertClose(y.dataSync(), [0, 0, 0, 1 / 3, 2 / 3, 2 / 3], 1e-6, 1e-7);
  const g = tf.grad((t: tf.Tensor) =>
    tf.sum(
      tf.mul(
        l2Normalize(t as tf.Tensor2D),
        tf.tensor2d([
          [1, 2, 3],
          [1, 0, 0],
        ]),
      ),
    ),
  )(x);
  const gv = Array.from(g.dataSync());
  assert.ok(gv.every(Number.isFinite), `gradient ${gv}`);
  // d/dx of x_0/|x| at x = (1,2,2), |x| = 3, w = (1,0,0): (w - u (u.w)) / |x| with u = x/3.
  const u = [1 / 3, 2 / 3, 2 / 3];
  assertClose(
    gv.slice(3),
    [1, 0, 0].map((w, i) => (w - u[i]! * u[0]!) / 3),
    1e-5,
    1e-6,
  );
  tf.dispose([x, y, g]);
});

test('l2Normalize: leaks nothing; bad input is a typed error', () => {
  const x = tf.randomNormal([4, 5]);
  const ints = tf.zeros([2, 2], 'int32');
  assertNoLeak(() => l2Normalize(x), 'l2Normalize');
  const before = tf.memory().numTensors;
  assert.throws(
    () => l2Normalize(ints),
    (e: unknown) => e instanceof ShapeError && /l2Normalize: `x` must have dtype float32, got int32/.test((e as Error).message),
  );
  assert.throws(
    () => l2Normalize(x, { axis: 2 }),
    (e: unknown) => e instanceof ConfigError && /`axis` must be in \[-2, 1\], got 2/.test((e as Error).message),
  );
  assert.throws(() => l2Normalize(x, { axis: -3 }), ConfigError);
  assert.throws(() => l2Normalize(x, { epsilon: 0 }), ConfigError);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, ints]);
});
