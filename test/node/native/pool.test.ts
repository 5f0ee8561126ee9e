import { test } from 'node:test';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';

test('native MaxPool/AvgPool and their gradients match cpu (sizes 2/3, strides 1/2, same/valid, odd sizes, batch 1)', { skip }, () => {
  for (const x of [[2, 9, 7, 3], [1, 8, 8, 4]]) {
    for (const size of [2, 3]) {
      for (const stride of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          const what = `${JSON.stringify(x)} size ${size} stride ${stride} ${pad}`;
          compareWithCpu(`maxPool ${what}`, [{ shape: x, seed: size * 10 + stride }],
            (t) => tf.maxPool(t as tf.Tensor4D, size, stride, pad), { kernels: ['MaxPool', 'MaxPoolGrad'] });
          compareWithCpu(`avgPool ${what}`, [{ shape: x, seed: size * 10 + stride + 1 }],
            (t) => tf.avgPool(t as tf.Tensor4D, size, stride, pad), { kernels: ['AvgPool', 'AvgPoolGrad'] });
        }
      }
    }
  }
});
