import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { MemoryBank } from '../../src/memory/memory-bank.js';
import { fillBank } from '../../src/memory/fill-bank.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const SIZE = 10;
const data = (n = SIZE) => new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [3], values: randn(n * 3, 4) });
/** A fixed linear map 3 -> 2 (not normalised: fillBank's rows are). */
const W = tf.tensor2d([1, 2, -1, 0.5, 3, 1], [3, 2]);
const features = (x: tf.Tensor): tf.Tensor2D => tf.matMul(x as tf.Tensor2D, W);

test('fillBank: row i = normalize(features(sample i)) for every sample, over batches that do not divide the size; leak-free', async () => {
  const d = data();
  const bank = new MemoryBank({ size: SIZE, dim: 2, seed: 1 });
  const before = tf.memory().numTensors;
  await fillBank(bank, d, features, { batchSize: 4 });
  assert.equal(tf.memory().numTensors, before, 'fillBank leaked tensors');
  const all = await d.getBatch(Int32Array.from({ length: SIZE }, (_, i) => i));
  const expected = tf.tidy(() => {
    const f = features(tf.tensor(all.x, all.shape));
    return tf.div(f, tf.norm(f, 2, 1, true));
  });
  assertClose(bank.data, expected.dataSync() as Float32Array, 1e-6);
  expected.dispose();
  bank.dispose();
});

test('fillBank: typed errors name the argument and the value', async () => {
  const bank = new MemoryBank({ size: SIZE, dim: 2 });
  await assert.rejects(
    fillBank(bank, data(7), features),
    (e) => e instanceof ShapeError && /fillBank: `data` must hold one sample per bank row \(10\), got 7 samples/.test(e.message),
  );
  await assert.rejects(
    fillBank({} as MemoryBank, data(), features),
    (e) => e instanceof ConfigError && /fillBank: `bank` must be a MemoryBank/.test(e.message),
  );
  await assert.rejects(
    fillBank(bank, data(), 'f' as never),
    (e) => e instanceof ConfigError && /`features` must be a function/.test(e.message),
  );
  await assert.rejects(
    fillBank(bank, data(), features, { batchSize: 0 }),
    (e) => e instanceof ConfigError && /`batchSize`.*0/.test(e.message),
  );
  const before = tf.memory().numTensors;
  await assert.rejects(
    fillBank(bank, data(), (x) => tf.tidy(() => tf.concat([features(x), features(x)], 1) as tf.Tensor2D)),
    (e) => e instanceof ShapeError && /MemoryBank\.set: `features` must have shape \[10, 2\].*got \[10, 4\]/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before, 'a failed fill leaked tensors');
  bank.dispose();
});
