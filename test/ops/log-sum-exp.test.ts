import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { logSumExp } from '../../src/ops/log-sum-exp.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const cases: [number | number[] | undefined, boolean][] = [
  [1, false],
  [0, true],
  [-1, true],
  [undefined, false],
  [[0, 2], false],
  [[0, 1, 2], true],
];

for (const [axis, keepDims] of cases) {
  test(`logSumExp axis=${JSON.stringify(axis)} keepDims=${keepDims}: tf.logSumExp's value and gradient`, () => {
    const x = tf.tensor3d(
      randn(3 * 4 * 5, 7).map((v) => 4 * v),
      [3, 4, 5],
    );
    const mine = logSumExp(x, axis, keepDims);
    const ref = tf.logSumExp(x, axis, keepDims);
    assert.deepEqual(mine.shape, ref.shape);
    assertClose(mine.dataSync(), ref.dataSync(), 1e-6, 1e-6, 'value');
    const w = tf.tensor(randn(ref.size, 8), ref.shape);
    const g = (f: (t: tf.Tensor) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
    const gm = g((t) => logSumExp(t, axis, keepDims));
    const gr = g((t) => tf.logSumExp(t, axis, keepDims));
    assertClose(gm.dataSync(), gr.dataSync(), 1e-5, 1e-6, 'gradient');
    tf.dispose([x, mine, ref, w, gm, gr]);
  });
}

test('logSumExp: the gradient along a row is softmax(row) times dy; large logits do not overflow', () => {
  const x = tf.tensor2d([
    [1000, 1000, -1000],
    [0, Math.log(3), -50],
  ]);
  const y = logSumExp(x, 1);
  assertClose(y.dataSync(), [1000 + Math.log(2), Math.log(4)], 1e-6, 1e-5);
  const g = tf.grad((t: tf.Tensor) => tf.sum(logSumExp(t, 1)))(x);
  assertClose(g.dataSync(), [0.5, 0.5, 0, 0.25, 0.75, 0], 1e-6, 1e-6);
  tf.dispose([x, y, g]);
});

test('logSumExp is leak-free, forward and in a gradient', () => {
  const x = tf.tensor2d(randn(6 * 6, 9), [6, 6]);
  assertNoLeak(() => logSumExp(x, 1), 'forward');
  assertNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(logSumExp(t, 1)))(x), 'gradient');
  x.dispose();
});
