import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { gaussianNoise } from '../../src/augment/gaussian-noise.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, assertWithin, randomImages, run } from './helpers.js';

before(() => useBackend());

test('gaussianNoise: zero-mean noise with the given std, clamped to [0, 1]', () => {
  const x = tf.fill([64, 16, 16, 1], 0.5);
  const y = run(gaussianNoise({ probability: 1, std: 0.05 }), x, new Rng(1));
  assert.deepEqual(y.shape, [64, 16, 16, 1]);
  assert.equal(y.dtype, 'float32');
  const d = Array.from(y.values, (v) => v - 0.5);
  const mean = d.reduce((a, v) => a + v, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
  assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.05) < 0.002, `std ${std}`);
  const edge = tf.fill([4, 8, 8, 3], 1);
  assertWithin(run(gaussianNoise({ probability: 1, std: 0.5 }), edge, new Rng(1)).values, 0, 1);
  tf.dispose([x, edge]);
});

test('gaussianNoise: the noisy share matches the probability; the others are untouched', () => {
  const x = randomImages([2000, 2, 2, 1]);
  const xv = x.dataSync();
  const y = run(gaussianNoise({ probability: 0.3 }), x, new Rng(2)).values;
  let noisy = 0;
  for (let b = 0; b < 2000; b++) if ([0, 1, 2, 3].some((i) => y[b * 4 + i] !== xv[b * 4 + i])) noisy++;
  assert.ok(Math.abs(noisy / 2000 - 0.3) < 4 * Math.sqrt(0.21 / 2000), `noisy share ${noisy / 2000}`);
  assert.deepEqual(run(gaussianNoise({ probability: 0 }), x, new Rng(2)).values, xv);
  x.dispose();
});

test('gaussianNoise: deterministic under a seed', () => {
  const x = randomImages([8, 4, 4, 3]);
  assertDeterministic(gaussianNoise(), x);
  x.dispose();
});

test('gaussianNoise: bad input and options are typed errors', () => {
  const x = tf.zeros([2, 2]);
  assert.throws(() => gaussianNoise()(x, new Rng(1)), ShapeError);
  assert.throws(() => gaussianNoise({ std: -1 }), /gaussianNoise: `std` must be >= 0, got -1/);
  assert.throws(() => gaussianNoise({ probability: 3 }), ConfigError);
  x.dispose();
});
