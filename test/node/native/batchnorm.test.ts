import { test } from 'node:test';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';
import { batchNormTraining, BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL } from '../../../src/models/batch-norm.js';

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

test('native training-mode batch norm kernels (src/models/batch-norm.ts) match the cpu math', { skip }, () => {
  // cpu runs batchNormTraining as tf ops (moments + batchNorm, closed-form gradient); native runs
  // ContrastiveBatchNormTrain and ContrastiveBatchNormTrainGrad.
  // The last case has more than 2^19 elements: the kernels' multi-thread path.
  for (const [shape, scale] of [[[3, 5, 7, 6], 1], [[1, 2, 3, 5], 3], [[9, 11], 0.5], [[1, 4], 1], [[2, 3, 130], 100],
    [[65, 16, 16, 32], 1]] as [number[], number][]) {
    const c = shape[shape.length - 1]!;
    compareWithCpu(`batchNormTraining ${JSON.stringify(shape)}`, [{ shape, seed: 20, scale }, { shape: [c], seed: 21 }, { shape: [c], seed: 22 }],
      (x, gamma, beta) => {
        const r = batchNormTraining(x!, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5);
        tf.dispose([r.mean, r.variance]);
        return r.y;
      }, { rtol: 1e-3, atol: 1e-4, kernels: [BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL] });
  }
  // The batch statistics themselves, with a large mean (the kernel's shifted sums must not cancel).
  compareWithCpu('batchNormTraining variance, mean 1000', [{ shape: [64, 8], seed: 23 }],
    (x) => batchNormTraining(tf.add(x!, 1000), null, null).variance, { grad: false, rtol: 1e-3, atol: 1e-3, kernels: [BATCH_NORM_TRAIN_KERNEL] });
});
