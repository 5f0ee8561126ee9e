import { test } from 'node:test';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';

const cases: { x: number[]; k: number; cout: number; stride: number; pad: 'same' | 'valid' }[] = [];
for (const k of [1, 3, 5]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) cases.push({ x: [2, 9, 7, 3], k, cout: 4, stride, pad });
  }
}
cases.push({ x: [1, 8, 8, 5], k: 3, cout: 6, stride: 2, pad: 'same' }); // batch 1, even size
cases.push({ x: [1, 32, 32, 16], k: 1, cout: 8, stride: 2, pad: 'same' }); // ResNet shortcut: right padding -1 in exact arithmetic

test('native Conv2D and its gradients match cpu (kernels 1/3/5, strides 1/2, same/valid, odd sizes, batch 1)', { skip }, () => {
  for (const c of cases) {
    const w = [c.k, c.k, c.x[3]!, c.cout];
    compareWithCpu(`conv ${JSON.stringify(c)}`, [{ shape: c.x, seed: 1 }, { shape: w, seed: 2 }],
      (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad),
      { kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] });
  }
});

test('native FusedConv2D (bias + relu / linear) and its gradients match cpu', { skip }, () => {
  for (const activation of ['relu', 'linear', 'elu', 'sigmoid'] as const) {
    compareWithCpu(`fused conv ${activation}`, [{ shape: [2, 7, 9, 3], seed: 3 }, { shape: [3, 3, 3, 5], seed: 4 }, { shape: [5], seed: 5 }],
      (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation }),
      { kernels: ['FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] });
  }
});

test('native Conv2D with dilation 2 matches cpu (forward)', { skip }, () => {
  compareWithCpu('dilated conv', [{ shape: [1, 9, 9, 2], seed: 6 }, { shape: [3, 3, 2, 3], seed: 7 }],
    (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', 2), { grad: false, kernels: ['Conv2D'] });
});
