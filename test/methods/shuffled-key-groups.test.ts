import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { shuffledGroups, shuffledKeyGroups } from '../../src/methods/shuffled-key-groups.js';
import { mlp } from '../../src/models/mlp.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('shuffledGroups: a permutation cut into groups as even as possible, from the generator only', () => {
  const a = shuffledGroups(70, 32, new Rng(1));
  assert.deepEqual(
    [...a.order].sort((x, y) => x - y),
    Array.from({ length: 70 }, (_, i) => i),
  );
  assert.deepEqual(a.sizes, [35, 35]);
  assert.deepEqual(shuffledGroups(70, 32, new Rng(1)).order, a.order);
  assert.notDeepEqual(shuffledGroups(70, 32, new Rng(2)).order, a.order);
  assert.deepEqual(shuffledGroups(256, 32, new Rng(1)).sizes, Array(8).fill(32));
  assert.deepEqual(shuffledGroups(5, 32, new Rng(1)).sizes, [5]);
  assert.deepEqual(shuffledGroups(100, 32, new Rng(1)).sizes, [33, 33, 34]);
});

test('shuffledKeyGroups: each key is its shuffled group through the model in training mode (BatchNorm over the group), in the batch order; leak-free', () => {
  const model = mlp({ inputDim: 6, hiddenUnits: [8], seed: 3 }); // Dense - BatchNorm - ReLU
  const x = tf.tensor2d(randn(12 * 6, 5), [12, 6]);
  const apply = (g: tf.Tensor): tf.Tensor2D => model.apply(g, { training: true }) as tf.Tensor2D;
  shuffledKeyGroups(apply, x, new Rng(1), 4).dispose(); // the first calls make the layers' cached state
  const { order, sizes } = shuffledGroups(12, 4, new Rng(7));
  assert.deepEqual(sizes, [4, 4, 4]);
  const keys = assertNoLeak(() => {
    const t = shuffledKeyGroups(apply, x, new Rng(7), 4);
    const a = t.arraySync() as number[][];
    t.dispose();
    return a;
  }, 'shuffledKeyGroups');
  const rows = x.arraySync() as number[][];
  let start = 0;
  for (const size of sizes) {
    const members = [...order.subarray(start, start + size)];
    const expected = tf.tidy(() => apply(tf.tensor2d(members.map((i) => rows[i]!))).arraySync() as number[][]); // arrays: nothing kept
    members.forEach((i, j) => assertClose(keys[i]!, expected[j]!, 1e-5, 1e-6, `key ${i}`));
    start += size;
  }
  // BatchNorm over a group is not BatchNorm over the batch: grouping matters
  const whole = tf.tidy(() => apply(x).arraySync() as number[][]);
  assert.ok(
    keys.some((k, i) => Math.abs(k[0]! - whole[i]![0]!) > 1e-3),
    'grouped keys differ from whole-batch keys',
  );
  x.dispose();
  model.dispose();
});
