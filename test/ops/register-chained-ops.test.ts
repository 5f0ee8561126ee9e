import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { CHAINED_OPS, registerChainedOps } from '../../src/ops/register-chained-ops.js';
import { assertNoLeak, useBackend } from '../support/tensors.js';

before(() => useBackend());

type Chained = Record<string, (...args: unknown[]) => tf.Tensor>;

test("the library's tf has every chained method of tfjs-core (src/tf.ts registers them), and registering again adds none", () => {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const absent = CHAINED_OPS.filter((n) => typeof proto[n] !== 'function');
  assert.deepEqual(absent, []);
  assert.equal(CHAINED_OPS.length, 127);
  assert.equal(registerChainedOps(), 0);
});

test('registerChainedOps: a chained method equals its op on the tensor (values, shapes, dtypes)', () => {
  const x = tf.tensor2d([
    [1, -2, 3],
    [4, 5, -6],
  ]);
  const y = tf.tensor2d([
    [2, 2, 2],
    [1, 1, 1],
  ]);
  const c = x as unknown as Chained;
  const same = (a: tf.Tensor, b: tf.Tensor, what: string): void => {
    assert.deepEqual(a.shape, b.shape, what);
    assert.equal(a.dtype, b.dtype, what);
    assert.deepEqual(a.arraySync(), b.arraySync(), what);
  };
  same(c.add!(y), tf.add(x, y), 'add');
  same(c.matMul!(y, false, true), tf.matMul(x, y, false, true), 'matMul');
  same(c.sum!(1), tf.sum(x, 1), 'sum');
  same(c.transpose!(), tf.transpose(x), 'transpose');
  same(c.flatten!(), tf.reshape(x, [6]), 'flatten');
  same(c.as1D!(), tf.reshape(x, [6]), 'as1D');
  same(c.as2D!(3, 2), tf.reshape(x, [3, 2]), 'as2D');
  same(c.reshapeAs!(tf.zeros([3, 2])), tf.reshape(x, [3, 2]), 'reshapeAs');
  same(c.asType!('int32'), tf.cast(x, 'int32'), 'asType');
  same(c.toBool!(), tf.cast(x, 'bool'), 'toBool');
  same(c.concat!(y, 0), tf.concat([x, y], 0), 'concat one');
  same(c.concat!([y, y], 1), tf.concat([x, y, y], 1), 'concat list');
  same(c.stack!(y), tf.stack([x, y]), 'stack');
  same(c.where!(tf.greater(x, 0), y), tf.where(tf.greater(x, 0), x, y), 'where');
  same((tf.tensor1d([0, 2], 'int32') as unknown as Chained).oneHot!(3), tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3), 'oneHot');
  same((tf.scalar(3) as unknown as Chained).reshape!([1]), tf.tensor1d([3]), 'reshape');
  tf.disposeVariables();
});

test('registerChainedOps: tf.layers.gru with its default (orthogonal) recurrent initializer builds, trains a step, and leaks nothing', () => {
  const model = tf.sequential({
    layers: [tf.layers.gru({ units: 8, returnSequences: true, inputShape: [5, 3] }), tf.layers.lstm({ units: 4 })],
  });
  // the recurrent kernel [8, 24] starts with orthonormal rows: K Kᵀ = I
  const gram = tf.tidy(() => {
    const k = model.layers[0]!.getWeights()[1]!;
    return tf.matMul(k, k, false, true).arraySync() as number[][];
  });
  for (let i = 0; i < 8; i++)
    for (let j = 0; j < 8; j++) assert.ok(Math.abs(gram[i]![j]! - (i === j ? 1 : 0)) < 1e-4, `gram[${i}][${j}] = ${gram[i]![j]}`);
  const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1);
  const optimizer = tf.train.adam(1e-2);
  const step = (): tf.Scalar => optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)), true)!;
  step().dispose(); // builds the weights (orthogonal init) and Adam's slots
  const loss = assertNoLeak(() => {
    const l = step();
    const v = l.dataSync()[0]!;
    l.dispose();
    return v;
  }, 'a GRU + LSTM step');
  assert.ok(Number.isFinite(loss));
  x.dispose();
  optimizer.dispose();
  model.dispose();
});
