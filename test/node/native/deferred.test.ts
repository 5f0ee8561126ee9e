import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { deferredStats } from '../../../src/node/native/deferred.js';
import { randn } from '../../support/tensors.js';
import { compareWithCpu, skip } from './harness.js';

/** Runs `fn` and returns how many deferred outputs it made, computed and dropped unread. */
function counting(fn: () => void): { made: number; computed: number; dropped: number } {
  const { made, computed, dropped } = deferredStats;
  fn();
  return { made: deferredStats.made - made, computed: deferredStats.computed - computed, dropped: deferredStats.dropped - dropped };
}

test('a first tfjs-layers Conv2D: the input gradient tf.fused.conv2d computes is deferred and dropped unread; no leak', { skip }, () => {
  void tf.setBackend('native');
  try {
    const layer = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, inputShape: [16, 16, 3] });
    const x = tf.tensor4d(randn(4 * 16 * 16 * 3, 1), [4, 16, 16, 3]);
    const big = tf.tensor4d(randn(32 * 16 * 16 * 3, 2), [32, 16, 16, 3]); // its gradient: 24576 elements, above DEFER_MIN
    tf.dispose(layer.apply(x) as tf.Tensor); // builds the kernel
    const opt = tf.train.sgd(0.01);
    opt.minimize(() => tf.mean(tf.square(layer.apply(big) as tf.Tensor)) as tf.Scalar); // the optimizer's constants
    const before = tf.memory().numTensors;
    const stats = counting(() => {
      for (let i = 0; i < 2; i++) opt.minimize(() => tf.mean(tf.square(layer.apply(big) as tf.Tensor)) as tf.Scalar);
    });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.equal(stats.made, 2, `deferred outputs made: ${stats.made}`);
    assert.equal(stats.computed, 0, 'the unread input gradient was computed');
    assert.equal(stats.dropped, 2);
    tf.dispose([x, big]);
    opt.dispose();
    layer.dispose();
  } finally {
    void tf.setBackend('cpu');
  }
});

test('a deferred Conv2DBackpropInput read later gives the cpu values, after its inputs are disposed and their buffers could be reused', { skip }, () => {
  const dyShape = [8, 16, 16, 8], wShape = [3, 3, 8, 8], xShape = [8, 16, 16, 8]; // dx: 16384 elements, DEFER_MIN
  const dy0 = randn(8 * 16 * 16 * 8, 3), w0 = randn(3 * 3 * 8 * 8, 4);
  const run = (backend: string): Float32Array => {
    void tf.setBackend(backend);
    const dy = tf.tensor4d(dy0, dyShape as [number, number, number, number]);
    const w = tf.tensor4d(w0, wShape as [number, number, number, number]);
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w },
      { inputShape: xShape, strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap) as tf.Tensor;
    tf.dispose([dy, w]);
    // other kernels now take buffers of dy's size from the pool: dy's must not be among them
    const noise = Array.from({ length: 4 }, (_, i) => tf.tidy(() => tf.add(tf.fill(dyShape, i), tf.fill(dyShape, 1))));
    const v = Float32Array.from(dx.dataSync());
    tf.dispose([dx, ...noise]);
    return v;
  };
  const want = run('cpu');
  const before = tf.memory().numTensors;
  const stats = counting(() => {
    const got = run('native');
    void tf.setBackend('cpu');
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= 1e-4 * scale, `dx[${i}] = ${g}, cpu ${want[i]}`));
  });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.deepEqual(stats, { made: 1, computed: 1, dropped: 0 });
});

test('Conv2D gradients with deferred input gradients match cpu (a two-layer chain, odd sizes, stride 2)', { skip }, () => {
  const stats = counting(() =>
    compareWithCpu('conv chain', [{ shape: [8, 17, 15, 8], seed: 5 }, { shape: [3, 3, 8, 16], seed: 6 }, { shape: [3, 3, 16, 8], seed: 7 }],
      (x, f1, f2) => tf.conv2d(tf.relu(tf.conv2d(x as tf.Tensor4D, f1 as tf.Tensor4D, 1, 'same')), f2 as tf.Tensor4D, 2, 'same'),
      { kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] }));
  assert.ok(stats.made >= 1 && stats.computed >= 1, JSON.stringify(stats));
});
