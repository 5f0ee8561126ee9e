import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { jitter } from '../../src/augment/jitter.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, randomSequences, run } from './helpers.js';

before(() => useBackend());

test('jitter: adds zero-mean noise of the given std to every step, unclamped', () => {
  const x = randomSequences([32, 200, 2]);
  const y = run(jitter({ std: 0.1 }), x, new Rng(1));
  assert.deepEqual(y.shape, [32, 200, 2]);
  assert.equal(y.dtype, 'float32');
  const xv = x.dataSync();
  const d = Array.from(y.values, (v, i) => v - xv[i]!);
  const mean = d.reduce((a, v) => a + v, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
  assert.ok(Math.abs(mean) < 0.003 && Math.abs(std - 0.1) < 0.003, `mean ${mean}, std ${std}`);
  assert.ok(Math.min(...y.values) < 0 && Math.max(...y.values) > 1, 'series values are not clamped');
  x.dispose();
});

test('jitter: probability picks whole series; deterministic under a seed', () => {
  const x = randomSequences([1000, 3, 1]);
  const xv = x.dataSync();
  const y = run(jitter({ probability: 0.5 }), x, new Rng(2)).values;
  let changed = 0;
  for (let b = 0; b < 1000; b++) if ([0, 1, 2].some((t) => y[b * 3 + t] !== xv[b * 3 + t])) changed++;
  assert.ok(Math.abs(changed / 1000 - 0.5) < 0.07, `changed share ${changed / 1000}`);
  assertDeterministic(jitter(), x);
  x.dispose();
});

test('jitter: bad input and options are typed errors', () => {
  const img = tf.zeros([1, 2, 2, 1]);
  assert.throws(() => jitter()(img, new Rng(1)), /jitter: `x` must have rank 3, got rank 4/);
  assert.throws(() => jitter({ std: -0.1 }), ConfigError);
  assert.throws(
    () =>
      jitter()(
        tf.tidy(() => tf.zeros([0, 3, 1])),
        new Rng(1),
      ),
    ShapeError,
  );
  img.dispose();
});
