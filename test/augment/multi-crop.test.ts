import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { multiCrop } from '../../src/augment/multi-crop.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

test('multiCrop: 2 global views of the augmentation plus N local crops, all the input size, reproducible, leak-free', () => {
  const identity = (x: tf.Tensor): tf.Tensor => tf.clone(x);
  const make = multiCrop(identity, { global: 2, local: 3 });
  const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1);
  const before = tf.memory().numTensors;
  const vs = make(x, new Rng(4));
  assert.equal(vs.length, 5);
  for (const v of vs) assert.deepEqual(v.shape, [2, 8, 8, 1]);
  assert.deepEqual(vs[0]!.dataSync(), x.dataSync()); // global: the augmentation of the whole image
  assert.notDeepEqual(vs[2]!.dataSync(), x.dataSync()); // local: a small crop, resized
  const again = make(x, new Rng(4));
  vs.forEach((v, i) => assert.deepEqual(again[i]!.dataSync(), v.dataSync()));
  tf.dispose([...vs, ...again]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => multiCrop(identity, { global: 1, local: 0 }), ConfigError);
  assert.throws(() => multiCrop('x' as never), ConfigError);
  assert.throws(() => make(tf.zeros([2, 4]), new Rng(0)));
  x.dispose();
});
