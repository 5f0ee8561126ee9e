import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { randomGrayscale } from '../../src/augment/random-grayscale.js';
import { assertClose, useBackend } from '../support/tensors.js';
import { assertDeterministic, assertWithin, randomImages, run, sample } from './helpers.js';

before(() => useBackend());

test('randomGrayscale: p 1 gives three equal channels of luminance 0.2989 R + 0.587 G + 0.114 B', () => {
  const x = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.4, 0.6], [1, 2, 2, 3]);
  const y = run(randomGrayscale({ probability: 1 }), x, new Rng(1));
  assert.deepEqual(y.shape, [1, 2, 2, 3]);
  const g = 0.2989 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6;
  assertClose(y.values, [0.2989, 0.2989, 0.2989, 0.587, 0.587, 0.587, 0.114, 0.114, 0.114, g, g, g], 1e-6, 1e-6);
  x.dispose();
});

test('randomGrayscale: the grey rate matches the probability; others are untouched; range kept', () => {
  const n = 3000;
  const x = randomImages([n, 1, 2, 3]);
  const xv = x.dataSync() as Float32Array;
  const y = run(randomGrayscale({ probability: 0.2 }), x, new Rng(4));
  assertWithin(y.values, 0, 1);
  let grey = 0;
  for (let b = 0; b < n; b++) {
    const ys = sample(y.values, b, 6);
    const xs = sample(xv, b, 6);
    if (ys.every((v, i) => v === xs[i])) continue;
    assert.ok(Math.abs(ys[0]! - ys[1]!) < 1e-6 && Math.abs(ys[1]! - ys[2]!) < 1e-6, `sample ${b} changed but is not grey`);
    grey++;
  }
  const rate = grey / n;
  assert.ok(Math.abs(rate - 0.2) < 4 * Math.sqrt(0.16 / n), `grey rate ${rate}`);
  x.dispose();
});

test('randomGrayscale: one-channel images are returned unchanged', () => {
  const x = randomImages([4, 3, 3, 1]);
  assert.deepEqual(run(randomGrayscale({ probability: 1 }), x, new Rng(1)).values, x.dataSync());
  x.dispose();
});

test('randomGrayscale: deterministic under a seed', () => {
  const x = randomImages([32, 2, 2, 3]);
  assertDeterministic(randomGrayscale({ probability: 0.5 }), x);
  x.dispose();
});

test('randomGrayscale: bad options are typed errors', () => {
  assert.throws(() => randomGrayscale({ probability: -0.1 }), ConfigError);
  assert.throws(() => randomGrayscale({ p: 0.1 } as never), /unknown field 'p'/);
});
