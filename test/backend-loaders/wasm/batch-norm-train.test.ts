/** The one-op training BatchNorm kernels on wasm (SIMD for channels % 4 == 0, JavaScript otherwise) against cpu. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { batchNormTraining, hasFusedBatchNormKernel } from '../../../src/models/batch-norm.js';
import { compareWithCpu } from './compare.js';

/**
 * y, mean and variance of training-mode batch norm in one tensor. On wasm: the one-op kernels; on
 * cpu: tf.moments + tf.batchNorm, which differentiate through the statistics as the kernels do.
 */
function bn(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, epsilon: number, shift: number): tf.Tensor {
  const xs = tf.add(tf.mul(x, 2), shift); // a mean far from 0: the variance must not cancel
  let y: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor;
  if (tf.getBackend() === 'wasm') {
    assert.ok(hasFusedBatchNormKernel(), 'wasm has the one-op kernels');
    ({ y, mean, variance } = batchNormTraining(xs, g as tf.Tensor1D, b as tf.Tensor1D, epsilon));
  } else {
    const axes = Array.from({ length: xs.rank - 1 }, (_, i) => i);
    ({ mean, variance } = tf.moments(xs, axes));
    y = tf.batchNorm(xs, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, epsilon);
  }
  return tf.concat([tf.reshape(y, [-1]), mean, variance]);
}

for (const { shape, epsilon, shift, path } of [
  { shape: [2, 5, 3, 7], epsilon: 1e-5, shift: 5, path: 'JavaScript (7 channels)' },
  { shape: [3, 4, 5, 8], epsilon: 1e-3, shift: 5, path: 'SIMD (8 channels, one block of rows)' },
  { shape: [131, 12], epsilon: 1e-3, shift: -3, path: 'SIMD (3 blocks of rows, the last partial)' },
  { shape: [2, 7, 9, 32], epsilon: 1e-5, shift: 0, path: 'SIMD (32 channels)' },
  { shape: [1, 8], epsilon: 1e-3, shift: 1, path: 'SIMD, one row: variance 0' },
  { shape: [1, 6], epsilon: 1e-3, shift: 1, path: 'JavaScript, one row: variance 0' },
]) {
  test(`batch norm train kernel and its gradient on wasm ${JSON.stringify(shape)}, ${path}, match cpu`, async () => {
    const c = shape[shape.length - 1]!;
    await compareWithCpu(
      { shapes: [shape, [c], [c]], f: (x, g, b) => bn(x!, g!, b!, epsilon, shift) },
      `bn ${JSON.stringify(shape)}`,
      5e-4,
      5e-4,
    );
  });
}

test('batch norm train kernels on wasm free what they make (forward and a training step)', async () => {
  await initBackend('wasm');
  const x = tf.randomNormal([4, 6, 6, 8], 0, 1, 'float32', 1);
  const g = tf.variable(tf.ones([8]));
  const b = tf.variable(tf.zeros([8]));
  const opt = tf.train.sgd(0.1); // holds its learning rate as a tensor
  const before = tf.memory().numTensors;
  const r = batchNormTraining(x, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D);
  tf.dispose([r.y, r.mean, r.variance]);
  opt.minimize(() => tf.sum(tf.square(batchNormTraining(x, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D).y)) as tf.Scalar);
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
  tf.dispose([x, g, b]);
  opt.dispose();
});
