import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { deferredStats } from '../../../src/node/native/deferred.js';
import { compareWithCpu, skip } from './harness.js';

const shapes = [[7], [3, 5, 7], [2, 9, 7, 3], [64, 32, 33]]; // odd sizes; the last one large enough for both threads

test('native ClipByValue and its gradient match cpu (several shapes, values across both bounds)', { skip }, () => {
  for (const shape of shapes) {
    for (const [lo, hi] of [[0, 6], [-1.5, 0.25]]) {
      compareWithCpu(`clip [${shape}] to [${lo}, ${hi}]`, [{ shape, seed: 1, scale: 4 }], (x) => tf.clipByValue(x, lo!, hi!),
        { kernels: ['ClipByValue', 'NativeClipGrad'] });
    }
  }
});

test('native Relu6 gradient matches cpu (several shapes)', { skip }, () => {
  for (const shape of shapes) {
    compareWithCpu(`relu6 [${shape}]`, [{ shape, seed: 2, scale: 5 }], (x) => tf.relu6(x), { kernels: ['Relu6', 'NativeClipGrad'] });
  }
});

test('tfjs-layers ReLU({ maxValue: 6 }) trains the same on native as on cpu', { skip }, () => {
  const layer = tf.layers.reLU({ maxValue: 6 });
  compareWithCpu('layers ReLU(6)', [{ shape: [4, 5, 5, 3], seed: 3, scale: 5 }], (x) => layer.apply(x) as tf.Tensor,
    { kernels: ['ClipByValue', 'NativeClipGrad'] });
});

/** The values and gradient of `f` at `xs` (gradient of sum(f(x) * 1..n)) on `backend`. */
function at(backend: string, xs: number[], f: (x: tf.Tensor) => tf.Tensor): { y: number[]; dx: number[] } {
  void tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const w = tf.range(1, xs.length + 1);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x);
    return { y: Array.from(f(x).dataSync()), dx: Array.from(dx.dataSync()) };
  });
}

test('native clip and relu6 gradients at the bounds and at NaN are the cpu backend\'s', { skip }, () => {
  const xs = [-1, 0, 1e-7, 0.5, 6, 6.0001, 7, NaN];
  for (const [name, f] of [['relu6', (x: tf.Tensor) => tf.relu6(x)], ['clip 0..6', (x: tf.Tensor) => tf.clipByValue(x, 0, 6)]] as const) {
    const want = at('cpu', xs, f);
    const before = tf.memory().numTensors;
    const got = at('native', xs, f);
    assert.equal(tf.memory().numTensors, before, `${name}: tensors leaked`);
    void tf.setBackend('cpu');
    assert.deepEqual(got, want, name);
  }
});

test('ClipByValue of a Relu (tfjs-layers ReLU with maxValue) reads the Relu input: values and gradients match cpu, the Relu output is never computed', { skip }, () => {
  const shape = [8, 16, 16, 17]; // above DEFER_MIN: Relu's output is deferred
  for (const [lo, hi] of [[0, 6], [-1, 6], [2, 6], [-3, -1]]) {
    const stats = { computed: deferredStats.computed, made: deferredStats.made };
    compareWithCpu(`clip(relu(x), ${lo}, ${hi})`, [{ shape, seed: 4, scale: 5 }], (x) => tf.clipByValue(tf.relu(x), lo!, hi!),
      { kernels: ['ClipByValue', 'NativeClipGrad', 'NativeReluGrad'] });
    const computed = deferredStats.computed - stats.computed;
    // hi < 0: not fused, the Relu output is read (once for the output, once for the gradient's pass)
    if (hi! >= 0) assert.equal(computed, 0, `clip(relu(x), ${lo}, ${hi}): a deferred output (the Relu's or the clip gradient's) was computed ${computed} times`);
    // lo <= 0 <= hi (ReLU6): the clip's gradient is deferred too, and the Relu's gradient reads its inputs
    // (compareWithCpu runs the function once forward and once for the gradients: a Relu each, one clip gradient)
    if (lo! <= 0 && hi! >= 0) assert.equal(deferredStats.made - stats.made, 3, `clip(relu(x), ${lo}, ${hi}): deferred outputs made`);
  }
  const layer = tf.layers.reLU({ maxValue: 6 });
  compareWithCpu('layers ReLU(6), deferred', [{ shape, seed: 5, scale: 5 }], (x) => layer.apply(x) as tf.Tensor,
    { kernels: ['ClipByValue', 'NativeClipGrad'] });
});

test('clip(relu(x)) at the bounds and at NaN, fused, is the cpu backend\'s', { skip }, () => {
  const special = [-1, 0, 1e-7, 0.5, 2, 6, 6.0001, 7, NaN, -0];
  const xs = Array.from({ length: 20000 }, (_, i) => special[i % special.length]!);
  for (const [lo, hi] of [[0, 6], [2, 6], [-1, 6]]) {
    const f = (x: tf.Tensor) => tf.clipByValue(tf.relu(x), lo!, hi!);
    const want = at('cpu', xs, f);
    const before = tf.memory().numTensors;
    const got = at('native', xs, f);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    void tf.setBackend('cpu');
    assert.deepEqual(got, want, `clip(relu(x), ${lo}, ${hi})`);
  }
});
