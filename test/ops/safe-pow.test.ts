import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { safePow } from '../../src/ops/safe-pow.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('safePow: x^p for x > 0, 0 for x <= 0', () => {
  const x = tf.tensor1d([4, 0, 2.25, -1, 1e-30]);
  for (const p of [0.5, 1, 1.5, 3]) {
    const y = safePow(x, p);
    assertClose(y.dataSync(), [4 ** p, 0, 2.25 ** p, 0, Math.fround(1e-30) ** p], 1e-5, 1e-30, `p=${p}`);
    y.dispose();
  }
  x.dispose();
});

test('safePow: gradient p x^(p-1) for x > 0 and 0 (not NaN or Infinity) at x = 0', () => {
  const x = tf.tensor1d([4, 0, 2.25]);
  for (const p of [0.5, 1, 2.5]) {
    const g = tf.grad((t: tf.Tensor) => tf.sum(safePow(t, p)))(x);
    assertClose(g.dataSync(), [p * 4 ** (p - 1), 0, p * 2.25 ** (p - 1)], 1e-5, 1e-7, `p=${p}`);
    g.dispose();
  }
  x.dispose();
});

test('safePow: leaks nothing; bad input is a typed error', () => {
  const x = tf.tensor1d([1, 2]);
  const ints = tf.tensor1d([1, 2], 'int32');
  assertNoLeak(() => safePow(x, 0.5), 'safePow');
  assertNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(safePow(t, 0.5)))(x), 'its gradient');
  assert.throws(() => safePow(ints, 2), ShapeError);
  assert.throws(
    () => safePow(x, 0),
    (e: unknown) => e instanceof ConfigError && /safePow: `exponent` must be > 0, got 0/.test((e as Error).message),
  );
  tf.dispose([x, ints]);
});
