import { test } from 'node:test';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';

test('native BatchMatMul and its gradients match cpu for all transpose flags', { skip }, () => {
  const [m, k, n] = [5, 7, 3];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      compareWithCpu(`matMul ta=${ta} tb=${tb}`, [{ shape: ta ? [k, m] : [m, k], seed: 1 }, { shape: tb ? [n, k] : [k, n], seed: 2 }],
        (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb), { kernels: ['BatchMatMul'] });
      compareWithCpu(`batched matMul ta=${ta} tb=${tb}`, [{ shape: ta ? [3, k, m] : [3, m, k], seed: 3 }, { shape: tb ? [3, n, k] : [3, k, n], seed: 4 }],
        (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb), { kernels: ['BatchMatMul'] });
    }
  }
});

// tfjs-core's BatchMatMul gradient does not reduce a broadcast batch (fails on cpu too): forward only.
test('native BatchMatMul broadcasts a batch of 1 on either side', { skip }, () => {
  compareWithCpu('a batch 1', [{ shape: [1, 4, 6], seed: 5 }, { shape: [3, 6, 2], seed: 6 }],
    (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D), { grad: false, kernels: ['BatchMatMul'] });
  compareWithCpu('b batch 1', [{ shape: [3, 4, 6], seed: 7 }, { shape: [1, 6, 2], seed: 8 }],
    (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D), { grad: false, kernels: ['BatchMatMul'] });
  compareWithCpu('b batch 1 transposed a', [{ shape: [3, 6, 4], seed: 7 }, { shape: [1, 6, 2], seed: 8 }],
    (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, false), { grad: false, kernels: ['BatchMatMul'] });
});

test('native _FusedMatMul (bias + activation) and its gradients match cpu', { skip }, () => {
  for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const) {
    for (const [ta, tb] of [[false, false], [true, true]] as const) {
      compareWithCpu(`fused matMul ${activation} ta=${ta} tb=${tb}`, [{ shape: ta ? [6, 4] : [4, 6], seed: 9 }, { shape: tb ? [5, 6] : [6, 5], seed: 10 }, { shape: [5], seed: 11 }],
        (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias, activation }),
        { kernels: ['_FusedMatMul'] });
    }
  }
});

test('native BatchMatMul handles batch 1 rows and a 1024-wide product', { skip }, () => {
  compareWithCpu('row vector', [{ shape: [1, 33], seed: 12 }, { shape: [33, 17], seed: 13 }], (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    { kernels: ['BatchMatMul'] });
  compareWithCpu('wide', [{ shape: [64, 1024], seed: 14 }, { shape: [1024, 32], seed: 15 }], (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    { grad: false, kernels: ['BatchMatMul'] });
});
