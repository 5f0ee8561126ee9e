import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { vectorCorruption } from '../../src/augment/vector-corruption.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

test('vectorCorruption: same shape, reproducible from the Rng state, mixes rows, leak-free', () => {
  const x = tf.tensor2d(randn(8 * 5, 1), [8, 5]);
  const aug = vectorCorruption();
  const before = tf.memory().numTensors;
  const a = aug(x, new Rng(3));
  const b = aug(x, new Rng(3));
  assert.equal(tf.memory().numTensors, before + 2);
  assert.deepEqual(a.shape, [8, 5]);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.notDeepEqual(Array.from(a.dataSync()), Array.from(x.dataSync()));
  tf.dispose([a, b, x]);
});

test('vectorCorruption: rate 0 and noise 0 is the identity; rate 1 draws each feature from its own column', () => {
  const [rows, dim] = [16, 6];
  const values = randn(rows * dim, 2);
  const x = tf.tensor2d(values, [rows, dim]);
  const same = vectorCorruption({ rate: 0, noise: 0 })(x, new Rng(1));
  assert.deepEqual(Array.from(same.dataSync()), Array.from(x.dataSync()));
  const all = vectorCorruption({ rate: 1, noise: 0 })(x, new Rng(1));
  const v = all.dataSync();
  const xv = x.dataSync();
  let moved = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dim; j++) {
      const column = Array.from({ length: rows }, (_, r) => xv[r * dim + j]!);
      assert.ok(column.includes(v[i * dim + j]!), `row ${i}, feature ${j} comes from feature ${j} of some row`);
      if (v[i * dim + j] !== xv[i * dim + j]) moved++;
    }
  }
  // each feature comes from a uniform random row: about 15/16 of them differ from the original
  assert.ok(moved > rows * dim * 0.7, `${moved} of ${rows * dim} features replaced`);
  tf.dispose([x, same, all]);
});

test("vectorCorruption: the noise scales with each feature's std in the batch", () => {
  // column 0 has std 10, column 1 std 0.1; no corruption, noise 0.5 of the std
  const rows = 4000;
  const rng = new Rng(5);
  const values = new Float32Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    values[2 * i] = (rng.next() < 0.5 ? -1 : 1) * 10;
    values[2 * i + 1] = (rng.next() < 0.5 ? -1 : 1) * 0.1;
  }
  const x = tf.tensor2d(values, [rows, 2]);
  const y = vectorCorruption({ rate: 0, noise: 0.5 })(x, new Rng(2));
  const d = tf.tidy(() => tf.sqrt(tf.moments(tf.sub(y, x), 0).variance).dataSync());
  assert.ok(Math.abs(d[0]! - 5) < 0.3, `column 0 noise std ${d[0]}`);
  assert.ok(Math.abs(d[1]! - 0.05) < 0.003, `column 1 noise std ${d[1]}`);
  tf.dispose([x, y]);
});

test('vectorCorruption: typed errors name the function and the argument; nothing leaks', () => {
  assert.throws(
    () => vectorCorruption({ rate: 1.5 }),
    (e: unknown) => e instanceof ConfigError && /vectorCorruption: `rate`/.test(e.message),
  );
  assert.throws(
    () => vectorCorruption({ noise: -1 }),
    (e: unknown) => e instanceof ConfigError && /vectorCorruption: `noise`/.test(e.message),
  );
  assert.throws(() => vectorCorruption({ probability: 0.5 } as never), ConfigError);
  const x = tf.zeros([2, 2, 2]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => vectorCorruption()(x, new Rng(0)),
    (e: unknown) => e instanceof ShapeError && /vectorCorruption: `x` must have rank 2, got rank 3/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
