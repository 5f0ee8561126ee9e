import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { loadAddon } from '../../../src/node/native/addon.js';
import { ShapeError } from '../../../src/errors.js';
import { compareWithCpu, skip } from './harness.js';

const KERNELS = ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];

const cases: { x: number[]; k: number; mult: number; stride: number; pad: 'same' | 'valid' }[] = [];
for (const k of [1, 3, 5]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) cases.push({ x: [2, 9, 7, 3], k, mult: 1, stride, pad });
  }
}
cases.push({ x: [2, 7, 9, 5], k: 3, mult: 2, stride: 1, pad: 'same' }); // channel multiplier 2
cases.push({ x: [1, 8, 8, 6], k: 3, mult: 3, stride: 2, pad: 'same' }); // multiplier 3, even size, stride 2
cases.push({ x: [3, 16, 16, 32], k: 3, mult: 1, stride: 2, pad: 'same' }); // MobileNet block, a SIMD width of channels
cases.push({ x: [2, 11, 13, 17], k: 3, mult: 1, stride: 1, pad: 'same' }); // odd channel count

test('native DepthwiseConv2dNative and its two gradients match cpu (kernels 1/3/5, strides 1/2, same/valid, multipliers 1-3, odd sizes)', { skip }, () => {
  for (const c of cases) {
    const w = [c.k, c.k, c.x[3]!, c.mult];
    compareWithCpu(`depthwise ${JSON.stringify(c)}`, [{ shape: c.x, seed: 1 }, { shape: w, seed: 2 }],
      (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad), { kernels: KERNELS });
  }
});

test('native FusedDepthwiseConv2D (bias + relu / relu6 / linear) and its gradients match cpu', { skip }, () => {
  for (const activation of ['relu', 'relu6', 'linear'] as const) {
    compareWithCpu(`fused depthwise ${activation}`, [{ shape: [2, 7, 9, 4], seed: 3 }, { shape: [3, 3, 4, 2], seed: 4 }, { shape: [8], seed: 5 }],
      (x, f, b) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: 'same', bias: b, activation }),
      { kernels: ['FusedDepthwiseConv2D', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] });
  }
});

test('native DepthwiseConv2dNative with dilation 2 matches cpu (forward)', { skip }, () => {
  compareWithCpu('dilated depthwise', [{ shape: [1, 9, 9, 3], seed: 6 }, { shape: [3, 3, 3, 1], seed: 7 }],
    (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', 2), { grad: false, kernels: ['DepthwiseConv2dNative'] });
});

test('native depthwise: a filter whose channels do not match x is a ShapeError naming the kernel; no tensor leaks', { skip }, () => {
  void tf.setBackend('native');
  const before = tf.memory().numTensors;
  const x = tf.zeros([1, 4, 4, 3]);
  const f = tf.zeros([3, 3, 2, 1]);
  try {
    assert.throws(() => tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: f }, { strides: 1, pad: 'same', dilations: 1, dataFormat: 'NHWC' }),
      (e: unknown) => e instanceof ShapeError && /DepthwiseConv2dNative/.test(e.message) && /filter/.test(e.message));
  } finally {
    tf.dispose([x, f]);
    void tf.setBackend('cpu');
  }
  assert.equal(tf.memory().numTensors, before);
});

test('native depthwise primitives of a MobileNet block are oneDNN optimised kernels, not its reference loops', { skip }, () => {
  // [N, H, W, C, KH, KW, M, OH, OW, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight]
  const impl = loadAddon()!.depthwiseImpl([8, 16, 16, 64, 3, 3, 1, 8, 8, 2, 2, 1, 1, 0, 0, 1, 1]);
  for (const [what, name] of Object.entries(impl)) assert.doesNotMatch(name, /ref/, `${what}: ${name}`);
});
