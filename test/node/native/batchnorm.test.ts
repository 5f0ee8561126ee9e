import { test } from 'node:test';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';

test('native FusedBatchNorm and its fused gradient match cpu', { skip }, () => {
  compareWithCpu('batchNorm 4d', [{ shape: [2, 5, 3, 4], seed: 1 }, { shape: [4], seed: 2 }, { shape: [4], seed: 3 }, { shape: [4], seed: 4 }, { shape: [4], seed: 5 }],
    (x, mean, v, offset, scale) => tf.batchNorm(x as tf.Tensor4D, mean as tf.Tensor1D, tf.add(tf.abs(v!), 0.5) as tf.Tensor1D, offset as tf.Tensor1D, scale as tf.Tensor1D, 1e-3),
    { kernels: ['FusedBatchNorm', 'NativeBatchNormGrad'] });
  compareWithCpu('batchNorm 2d, no offset/scale', [{ shape: [7, 6], seed: 6 }, { shape: [6], seed: 7 }, { shape: [6], seed: 8 }],
    (x, mean, v) => tf.batchNorm(x as tf.Tensor2D, mean as tf.Tensor1D, tf.add(tf.abs(v!), 0.5) as tf.Tensor1D),
    { grad: false, kernels: ['FusedBatchNorm'] }); // tfjs-core's gradient needs a scale (saves it even when absent)
});

test('training-mode batch normalisation (moments + batchNorm) matches cpu, batch 1 included', { skip }, () => {
  for (const shape of [[4, 6, 5, 8], [1, 3, 3, 2]]) {
    compareWithCpu(`moments ${JSON.stringify(shape)}`, [{ shape, seed: 9 }, { shape: [shape[3]!], seed: 10 }, { shape: [shape[3]!], seed: 11 }],
      (x, gamma, beta) => {
        const { mean, variance } = tf.moments(x!, [0, 1, 2]);
        return tf.batchNorm(x as tf.Tensor4D, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3);
      }, { rtol: 1e-3, atol: 1e-3, kernels: ['FusedBatchNorm', 'NativeBatchNormGrad', 'Mean', 'Sub', 'Square'] });
  }
});
