import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import type { Augmentation } from '../../src/augment/augmentation.js';
import { views } from '../../src/augment/views.js';
import { simclrCifar } from '../../src/augment/presets.js';
import { useBackend } from '../support/tensors.js';
import { randomImages } from './helpers.js';

before(() => useBackend());

test('views: n independent views of the batch, reproducible from the Rng state, no leaks', () => {
  const x = randomImages([6, 16, 16, 3]);
  const make = views(simclrCifar(16), 3);
  const before = tf.memory().numTensors;
  const a = make(x, new Rng(5));
  assert.equal(tf.memory().numTensors, before + 3);
  assert.equal(a.length, 3);
  for (const v of a) assert.deepEqual(v.shape, [6, 16, 16, 3]);
  const [v0, v1, v2] = a.map((v) => v.dataSync());
  assert.ok(v0!.some((v, i) => v !== v1![i]) && v1!.some((v, i) => v !== v2![i]), 'views differ');
  const b = make(x, new Rng(5));
  b.forEach((v, i) => assert.deepEqual(v.dataSync(), a[i]!.dataSync()));
  tf.dispose([...a, ...b]);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(x.isDisposed, false);
  x.dispose();
});

test('views: a failing view frees the views already made', () => {
  const x = randomImages([2, 4, 4, 1]);
  let calls = 0;
  const flaky: Augmentation = (t) => {
    if (++calls === 2) throw new Error('second view failed');
    return tf.clone(t);
  };
  const before = tf.memory().numTensors;
  assert.throws(() => views(flaky, 2)(x, new Rng(1)), /second view failed/);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('views: bad arguments are typed errors', () => {
  assert.throws(() => views(simclrCifar(), 0), /views: `n` must be an integer >= 1, got 0/);
  assert.throws(() => views({} as never, 2), ConfigError);
});
