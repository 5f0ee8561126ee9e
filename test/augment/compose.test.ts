import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import type { Augmentation } from '../../src/augment/augmentation.js';
import { compose } from '../../src/augment/compose.js';
import { horizontalFlip } from '../../src/augment/horizontal-flip.js';
import { randomResizedCrop } from '../../src/augment/random-resized-crop.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, randomImages, run } from './helpers.js';

before(() => useBackend());

const add =
  (v: number): Augmentation =>
  (x) =>
    tf.add(x, v);
const times =
  (v: number): Augmentation =>
  (x) =>
    tf.mul(x, v);

test('compose: applies the steps in order and frees the intermediates', () => {
  const x = tf.tensor4d([1, 2], [2, 1, 1, 1]);
  const y = run(compose([add(1), times(10), add(-3)]), x, new Rng(1)); // run() asserts: one new tensor, nothing leaked
  assert.deepEqual(Array.from(y.values), [17, 27]);
  x.dispose();
});

test('compose: [] returns a copy; the same Rng state gives the same pipeline output', () => {
  const x = randomImages([8, 12, 12, 3]);
  assert.deepEqual(run(compose([]), x, new Rng(1)).values, x.dataSync());
  assertDeterministic(compose([randomResizedCrop({ size: 8 }), horizontalFlip()]), x);
  x.dispose();
});

test('compose: a failing step frees what the earlier steps made and rethrows', () => {
  const x = randomImages([2, 4, 4, 1]);
  const boom: Augmentation = () => {
    throw new Error('boom');
  };
  const before = tf.memory().numTensors;
  assert.throws(() => compose([add(1), boom])(x, new Rng(1)), /boom/);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(x.isDisposed, false);
  x.dispose();
});

test('compose: bad steps are typed errors', () => {
  assert.throws(() => compose('crop' as never), ConfigError);
  assert.throws(() => compose([add(1), 3 as never]), /compose: `augmentations\[1\]` must be an augmentation/);
});
