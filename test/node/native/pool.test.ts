import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';

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

test('native MaxPoolGrad matches cpu on ties (ReLU zeros, -0 and +0, repeated values), -Infinity and NaN windows, and strides over the window', { skip }, () => {
  // values from a small set, so that most windows hold ties; some -Infinity and NaN
  const shape = [2, 9, 7, 5] as [number, number, number, number];
  const size = shape.reduce((a, b) => a * b, 1);
  const pick = [0, -0, 0, 1, 1, 2, -1, -Infinity, NaN, 0.5];
  const xs = Float32Array.from({ length: size }, (_, i) => pick[(i * 7919 + (i >> 3) * 31) % pick.length]!);
  // whole windows of -Infinity and of NaN in the first image, channel 0
  for (const [h, w] of [[0, 0], [0, 1], [1, 0], [1, 1]]) xs[(h * shape[2] + w) * shape[3]] = -Infinity;
  for (const [h, w] of [[2, 2], [2, 3], [3, 2], [3, 3]]) xs[(h * shape[2] + w) * shape[3]] = NaN;
  for (const [window, stride] of [[2, 2], [2, 3], [3, 3], [1, 2]] as const) {
    for (const pad of ['same', 'valid'] as const) {
      const run = (backend: string): Float32Array => {
        void tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(xs, shape);
          const y = tf.maxPool(x, window, stride, pad);
          const dy = tf.tensor(Float32Array.from({ length: y.size }, (_, i) => 1 + (i % 13)), y.shape);
          return tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: window, strides: stride, pad }) as tf.Tensor;
        }).dataSync() as Float32Array;
      };
      const want = run('cpu');
      const calls = nativeCalls.MaxPoolGrad ?? 0;
      const got = run('native');
      assert.ok((nativeCalls.MaxPoolGrad ?? 0) > calls, 'the native MaxPoolGrad ran');
      void tf.setBackend('cpu');
      const what = `window ${window} stride ${stride} ${pad}`;
      assert.equal(got.length, want.length, what);
      for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]) || got[i] === want[i], `${what}: dx[${i}] ${got[i]} vs cpu ${want[i]}`);
    }
  }
});
