import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { sequence, simclrCifar, simclrImageNet, smallGrey } from '../../src/augment/presets.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, assertWithin, randomImages, randomSequences, run } from './helpers.js';

before(() => useBackend());

test('simclrImageNet: crops to size, keeps RGB in [0, 1]', () => {
  const x = randomImages([3, 48, 40, 3]);
  const y = run(simclrImageNet(32), x, new Rng(1));
  assert.deepEqual(y.shape, [3, 32, 32, 3]);
  assertWithin(y.values, 0, 1);
  assertDeterministic(simclrImageNet([24, 20]), x);
  x.dispose();
});

test('simclrCifar: [B, 32, 32, 3] stays [B, 32, 32, 3] in [0, 1]; grey input passes through the colour ops', () => {
  const x = randomImages([8, 32, 32, 3]);
  const y = run(simclrCifar(32), x, new Rng(2));
  assert.deepEqual(y.shape, [8, 32, 32, 3]);
  assertWithin(y.values, 0, 1);
  assertDeterministic(simclrCifar(), x);
  const grey = randomImages([4, 28, 28, 1]);
  assert.deepEqual(run(simclrCifar(28), grey, new Rng(2)).shape, [4, 28, 28, 1]);
  tf.dispose([x, grey]);
});

test('smallGrey: 28x28 grey stays 28x28 grey in [0, 1]; flip can be turned off', () => {
  const x = randomImages([16, 28, 28, 1]);
  const y = run(smallGrey(28), x, new Rng(3));
  assert.deepEqual(y.shape, [16, 28, 28, 1]);
  assertWithin(y.values, 0, 1);
  assertDeterministic(smallGrey(), x);
  assert.deepEqual(run(smallGrey(28, { horizontalFlip: false }), x, new Rng(3)).shape, [16, 28, 28, 1]);
  assert.throws(() => smallGrey(28, { horizontalFlip: 'yes' as never }), ConfigError);
  assert.throws(() => smallGrey(0), ConfigError);
  // cropScale reaches the crop: a larger lower bound changes the views; a bad range is the crop's typed error
  const wide = run(smallGrey(28, { horizontalFlip: false }), x, new Rng(5)).values;
  const narrow = run(smallGrey(28, { horizontalFlip: false, cropScale: [0.9, 1] }), x, new Rng(5)).values;
  assert.notDeepEqual(narrow, wide);
  assert.throws(
    () => smallGrey(28, { cropScale: [0.5, 2] }),
    (e: unknown) => e instanceof ConfigError && /randomResizedCrop/.test(e.message),
  );
  x.dispose();
});

test('sequence: [B, T, C] stays [B, T, C] and changes the series', () => {
  const x = randomSequences([8, 60, 2]);
  const y = run(sequence(), x, new Rng(4));
  assert.deepEqual(y.shape, [8, 60, 2]);
  assert.ok(y.values.some((v, i) => Math.abs(v - x.dataSync()[i]!) > 0.05));
  assertDeterministic(sequence(), x);
  x.dispose();
});
