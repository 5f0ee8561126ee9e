import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { addMany, ADD_N_MAX_INPUTS } from '../../src/ops/add-many.js';
import { ConfigError } from '../../src/errors.js';

const inputs = (n: number): tf.Tensor2D[] => Array.from({ length: n }, (_, k) => tf.tensor2d([k, -2 * k, k / 3, 1], [2, 2]));

for (const n of [1, 2, ADD_N_MAX_INPUTS, ADD_N_MAX_INPUTS + 1, 20, 50]) {
  test(`addMany: ${n} tensors sum as one tf.addN would, leak-free, a new tensor`, () => {
    const xs = inputs(n);
    const before = tf.memory().numTensors;
    const got = addMany(xs);
    const want = tf.addN(xs);
    assert.deepEqual(got.shape, [2, 2]);
    const g = got.arraySync() as number[][];
    const w = want.arraySync() as number[][];
    g.flat().forEach((v, i) => assert.ok(Math.abs(v - w.flat()[i]!) < 1e-4, `${v} vs ${w.flat()[i]}`));
    assert.notEqual(got, xs[0], 'a new tensor, even for one input');
    tf.dispose([got, want]);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(xs);
  });
}

test('addMany: the gradient reaches every input', () => {
  const xs = inputs(20);
  const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(addMany(a)))(xs);
  assert.equal(grads.length, 20);
  for (const g of grads)
    assert.deepEqual(g.arraySync(), [
      [1, 1],
      [1, 1],
    ]);
  tf.dispose([...xs, ...grads]);
});

test('addMany: no tensors is a ConfigError naming the function', () => {
  assert.throws(
    () => addMany([]),
    (e: unknown) => e instanceof ConfigError && /addMany/.test(String(e)) && /non-empty/.test(String(e)),
  );
});
