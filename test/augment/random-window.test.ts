import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { randomWindow } from '../../src/augment/random-window.js';
import { assertClose, useBackend } from '../support/tensors.js';
import { assertDeterministic, randomSequences, run } from './helpers.js';

before(() => useBackend());

/** [B, T, 2]: channel 0 is the time index, channel 1 is 1000 b + t. */
function ramps(n: number, t: number): tf.Tensor3D {
  const data = new Float32Array(n * t * 2);
  for (let b = 0; b < n; b++) for (let s = 0; s < t; s++) data.set([s, 1000 * b + s], (b * t + s) * 2);
  return tf.tensor3d(data, [n, t, 2]);
}

test('randomWindow: [B, T, C] -> [B, length, C], each row an exact window of its own series', () => {
  const [n, t, len] = [400, 20, 15];
  const x = ramps(n, t);
  const y = run(randomWindow({ length: len }), x, new Rng(1));
  assert.deepEqual(y.shape, [n, len, 2]);
  const starts = new Set<number>();
  for (let b = 0; b < n; b++) {
    const start = y.values[b * len * 2]!;
    for (let s = 0; s < len; s++) {
      assert.equal(y.values[(b * len + s) * 2], start + s);
      assert.equal(y.values[(b * len + s) * 2 + 1], 1000 * b + start + s);
    }
    starts.add(start);
  }
  assert.deepEqual(
    [...starts].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5],
    'every start in [0, T - length] occurs',
  );
  x.dispose();
});

test('randomWindow: default length is 90% of T; outputLength "input" resamples the window back to T', () => {
  const x = ramps(8, 50);
  assert.deepEqual(run(randomWindow(), x, new Rng(1)).shape, [8, 45, 2]);
  const y = run(randomWindow({ fraction: 0.5, outputLength: 'input' }), x, new Rng(2));
  assert.deepEqual(y.shape, [8, 50, 2]);
  for (let b = 0; b < 8; b++) {
    const first = y.values[b * 100]!;
    const last = y.values[b * 100 + 98]!;
    assertClose(last - first, 24, 0, 1e-3, 'the window spans 25 steps');
    for (let s = 0; s < 50; s++) assertClose(y.values[(b * 50 + s) * 2]!, first + (24 * s) / 49, 0, 1e-3, 'linear resampling');
  }
  x.dispose();
});

test('randomWindow: deterministic under a seed; typed errors', () => {
  const x = randomSequences([16, 30, 1]);
  assertDeterministic(randomWindow({ length: 10 }), x);
  assert.throws(() => randomWindow({ length: 31 })(x, new Rng(1)), /randomWindow: `x` must have at least 31 time steps/);
  assert.throws(() => randomWindow({ fraction: 0 }), ConfigError);
  assert.throws(() => randomWindow({ outputLength: 'same' as never }), ConfigError);
  const img = tf.zeros([1, 2, 2, 1]);
  assert.throws(() => randomWindow()(img, new Rng(1)), ShapeError);
  tf.dispose([x, img]);
});
