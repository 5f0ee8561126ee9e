import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { pairwiseSquaredDistances } from '../../src/ops/pairwise-squared-distances.js';
import { ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

function naive(a: Float32Array, b: Float32Array, n: number, m: number, d: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (a[i * d + k]! - b[j * d + k]!) ** 2;
      out.push(s);
    }
  return out;
}

test('pairwiseSquaredDistances: matches the naive loop, with and without b', () => {
  const [n, m, d] = [5, 7, 6];
  const ad = randn(n * d, 1);
  const bd = randn(m * d, 2);
  const a = tf.tensor2d(ad, [n, d]);
  const b = tf.tensor2d(bd, [m, d]);
  const ab = pairwiseSquaredDistances(a, b);
  assert.deepEqual(ab.shape, [n, m]);
  assertClose(ab.dataSync(), naive(ad, bd, n, m, d), 1e-5, 1e-5);
  const aa = pairwiseSquaredDistances(a);
  assertClose(aa.dataSync(), naive(ad, ad, n, n, d), 1e-5, 1e-5);
  assert.ok(
    Array.from(aa.dataSync()).every((v) => v >= 0),
    'never negative',
  );
  tf.dispose([a, b, ab, aa]);
});

test('pairwiseSquaredDistances: leaks nothing; bad input is a typed error', () => {
  const a = tf.randomNormal([3, 4]) as tf.Tensor2D;
  const b = tf.randomNormal([3, 5]) as tf.Tensor2D;
  assertNoLeak(() => pairwiseSquaredDistances(a), 'pairwiseSquaredDistances');
  assert.throws(
    () => pairwiseSquaredDistances(a, b),
    (e: unknown) =>
      e instanceof ShapeError &&
      /pairwiseSquaredDistances: `b` must have shape \[\*, 4\] \(same number of columns as a\), got \[3, 5\]/.test((e as Error).message),
  );
  tf.dispose([a, b]);
});
