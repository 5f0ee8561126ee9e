import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { KeyQueue } from '../../src/memory/key-queue.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('KeyQueue: random unit rows from the seed, FIFO enqueue of normalised keys that wraps around', () => {
  const q = new KeyQueue({ size: 5, dim: 3, seed: 2 });
  for (let r = 0; r < 5; r++) assertClose(Math.hypot(...q.data.subarray(r * 3, r * 3 + 3)), 1, 1e-5);
  assert.deepEqual(new KeyQueue({ size: 5, dim: 3, seed: 2 }).data, q.data);
  const keys = tf.tensor2d([
    [3, 0, 4],
    [0, 2, 0],
    [1, 0, 0],
  ]);
  const before = tf.memory().numTensors;
  q.enqueue(keys);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(q.pointer, 3);
  assertClose(q.data.subarray(0, 9), [0.6, 0, 0.8, 0, 1, 0, 1, 0, 0], 1e-6);
  const old3 = q.data.slice(9, 12);
  q.enqueue(keys); // rows 3, 4, then 0
  assert.equal(q.pointer, 1);
  assertClose(q.data.subarray(9, 15), [0.6, 0, 0.8, 0, 1, 0], 1e-6);
  assertClose(q.data.subarray(0, 3), [1, 0, 0], 1e-6);
  assert.notDeepEqual(q.data.slice(9, 12), old3);
  const rows = q.rows();
  assert.deepEqual(rows.shape, [5, 3]);
  rows.dispose();
  keys.dispose();
});

test('KeyQueue: a batch larger than the queue keeps its last keys; bad arguments are typed errors', () => {
  const q = new KeyQueue({ size: 2, dim: 1 });
  const keys = tf.tensor2d([[1], [-1], [2]]);
  q.enqueue(keys);
  assert.deepEqual([...q.data], [-1, 1]);
  assert.throws(() => q.enqueue(tf.zeros([2, 3]) as tf.Tensor2D), ShapeError);
  assert.throws(() => new KeyQueue({ size: 0, dim: 1 }), ConfigError);
  assert.throws(() => new KeyQueue(null as never), ConfigError);
  keys.dispose();
});
