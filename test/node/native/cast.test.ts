import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';
import { compareWithCpu, skip } from './harness.js';

test('native Cast of bool and int32 to float32 gives the cpu values in a Float32Array, and the ops after it run natively', { skip }, () => {
  for (const shape of [[7], [3, 5], [64, 33, 17]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const ints = Int32Array.from({ length: n }, (_, i) => ((i * 7919) % 201) - 100);
    for (const dtype of ['int32', 'bool'] as const) {
      const run = (backend: string): Float32Array => {
        void tf.setBackend(backend);
        return tf.tidy(() => {
          const x = dtype === 'int32' ? tf.tensor(ints, shape, 'int32') : tf.greater(tf.tensor(ints, shape, 'int32'), 0);
          const y = tf.cast(x, 'float32');
          // a broadcast Multiply after the cast, as in Max's gradient
          return Float32Array.from(tf.mul(y, tf.fill([shape[shape.length - 1]!], 1.5)).dataSync());
        });
      };
      const want = run('cpu');
      const before = tf.memory().numTensors;
      const casts = nativeCalls.Cast ?? 0, muls = nativeCalls.Multiply ?? 0;
      const got = run('native');
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.ok((nativeCalls.Cast ?? 0) > casts, `${dtype} [${shape}]: Cast did not run natively`);
      assert.ok((nativeCalls.Multiply ?? 0) > muls, `${dtype} [${shape}]: the Multiply after the cast was handed to the cpu kernel`);
      void tf.setBackend('cpu');
      assert.deepEqual(got, want, `${dtype} [${shape}]`);
    }
  }
});

test('logSumExp (its Max gradient casts a bool mask) matches cpu on native, values and gradient', { skip }, () => {
  compareWithCpu('logSumExp', [{ shape: [64, 65], seed: 1, scale: 3 }], (x) => tf.logSumExp(x, 1), { kernels: ['Cast', 'Multiply'] });
});
