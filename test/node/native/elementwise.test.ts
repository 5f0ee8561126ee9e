import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';
import { collapse } from '../../../src/node/native/elementwise.js';

const pairs: [number[], number[]][] = [
  [[3, 4, 5], [3, 4, 5]], // same shape
  [[3, 4, 5], [5]], // per-channel
  [[3, 4, 5], []], // scalar
  [[1], [3, 4, 5]], // scalar-like on the left
  [[3, 1, 5], [1, 4, 1]], // both broadcast
  [[2, 3, 1, 4], [3, 5, 1]], // middle broadcast
];

test('native binary ops broadcast like cpu, with gradients', { skip }, () => {
  const ops: [string, string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['Add', 'add', tf.add], ['Sub', 'sub', tf.sub], ['Multiply', 'mul', tf.mul],
    ['RealDiv', 'div', (a, b) => tf.div(a, tf.add(tf.abs(b), 0.5))], ['Maximum', 'maximum', tf.maximum],
    ['Minimum', 'minimum', tf.minimum], ['SquaredDifference', 'squaredDifference', tf.squaredDifference],
  ];
  for (const [kernel, name, f] of ops) {
    for (const [sa, sb] of pairs) {
      // tfjs-core's Maximum/Minimum/SquaredDifference gradients do not reduce broadcast axes (fails on cpu too): forward only there.
      const grad = !['Maximum', 'Minimum', 'SquaredDifference'].includes(kernel) || sa.join() === sb.join();
      compareWithCpu(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [{ shape: sa, seed: 1 }, { shape: sb, seed: 2 }], f, { grad, kernels: [kernel] });
    }
  }
});

test('native comparisons broadcast like cpu (bool outputs)', { skip }, () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['Equal', tf.equal], ['NotEqual', tf.notEqual], ['Greater', tf.greater], ['GreaterEqual', tf.greaterEqual], ['Less', tf.less], ['LessEqual', tf.lessEqual],
  ];
  for (const [kernel, f] of ops) {
    for (const [sa, sb] of pairs) {
      // Rounded values so that equal elements occur; the bool result is cast to compare it.
      compareWithCpu(`${kernel} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [{ shape: sa, seed: 1 }, { shape: sb, seed: 2 }],
        (a, b) => tf.cast(f(tf.round(a!), tf.round(b!)), 'float32'), { grad: false, kernels: [kernel] });
    }
  }
});

test('native unary ops match cpu, with gradients', { skip }, () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['Relu', tf.relu], ['Relu6', (x) => tf.relu6(tf.mul(x, 4))], ['Exp', tf.exp], ['Log', (x) => tf.log(tf.add(tf.abs(x), 0.1))],
    ['Sqrt', (x) => tf.sqrt(tf.add(tf.abs(x), 0.1))], ['Rsqrt', (x) => tf.rsqrt(tf.add(tf.abs(x), 0.1))], ['Square', tf.square],
    ['Neg', tf.neg], ['Abs', tf.abs], ['Sigmoid', tf.sigmoid], ['Tanh', tf.tanh], ['Reciprocal', (x) => tf.reciprocal(tf.add(tf.abs(x), 0.5))],
    ['LeakyRelu', (x) => tf.leakyRelu(x, 0.1)], ['Elu', tf.elu], ['Log1p', (x) => tf.log1p(tf.abs(x))], ['Softplus', tf.softplus],
  ];
  for (const [kernel, f] of ops) {
    // ReLU's and Square's gradients are one fused native pass each.
    const kernels = kernel === 'Relu' ? ['Relu', 'NativeReluGrad'] : kernel === 'Square' ? ['Square', 'NativeSquareGrad'] : [kernel];
    compareWithCpu(kernel, [{ shape: [3, 17], seed: 3 }], f, { kernels });
  }
  compareWithCpu('Relu, large (parallel chunks)', [{ shape: [64, 40000], seed: 4 }], tf.relu, { kernels: ['Relu', 'NativeReluGrad'] });
  compareWithCpu('Step', [{ shape: [3, 17], seed: 4 }], (x) => tf.step(x, 0.3), { grad: false, kernels: ['Step'] });
});

test('native Tile and AddN match cpu, with gradients', { skip }, () => {
  compareWithCpu('tile', [{ shape: [2, 1, 3], seed: 5 }], (x) => tf.tile(x, [2, 4, 3]), { kernels: ['Tile'] });
  compareWithCpu('tile 1d', [{ shape: [5], seed: 6 }], (x) => tf.tile(x, [3]), { kernels: ['Tile'] });
  compareWithCpu('addN', [{ shape: [4, 3], seed: 7 }, { shape: [4, 3], seed: 8 }, { shape: [4, 3], seed: 9 }], (a, b, c) => tf.addN([a!, b!, c!]),
    { kernels: ['AddN'] });
});

test('native Sum/Mean/Max/Min over adjacent axes match cpu, with gradients', { skip }, () => {
  const x = [4, 5, 6, 3];
  const axes: (number | number[])[] = [0, 3, [0, 1, 2], [1, 2], [2, 3], [0, 1, 2, 3], -1];
  for (const axis of axes) {
    for (const keepDims of [false, true]) {
      const w = `${JSON.stringify(axis)} keepDims=${keepDims}`;
      compareWithCpu(`sum ${w}`, [{ shape: x, seed: 10 }], (t) => tf.sum(t, axis, keepDims), { kernels: ['Sum'] });
      compareWithCpu(`mean ${w}`, [{ shape: x, seed: 11 }], (t) => tf.mean(t, axis, keepDims), { kernels: ['Mean', 'NativeMeanGrad'] });
      compareWithCpu(`max ${w}`, [{ shape: x, seed: 12 }], (t) => tf.max(t, axis, keepDims), { kernels: ['Max'] });
      compareWithCpu(`min ${w}`, [{ shape: x, seed: 13 }], (t) => tf.min(t, axis, keepDims), { kernels: ['Min'] });
    }
  }
  // Large reduction split across threads (outer = 1).
  compareWithCpu('sum over batch of a large tensor', [{ shape: [256, 16, 16, 8], seed: 14 }], (t) => tf.sum(t, [0, 1, 2]), { grad: false, kernels: ['Sum'] });
});

test('collapse merges contiguous axes and drops size-1 axes', () => {
  assert.deepEqual(collapse([3, 4, 5], [20, 5, 1], [20, 5, 1]), { shape: [60], sa: [1], sb: [1] });
  assert.deepEqual(collapse([3, 4, 5], [20, 5, 1], [0, 0, 1]), { shape: [12, 5], sa: [5, 1], sb: [0, 1] });
  assert.deepEqual(collapse([1, 1], [0, 0], [0, 0]), { shape: [1], sa: [0], sb: [0] });
});
