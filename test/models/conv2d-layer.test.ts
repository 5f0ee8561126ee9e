import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { conv2dLayersRouted, routeConv2dLayers } from '../../src/models/conv2d-layer.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const cls = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D![0] as unknown as {
  prototype: { call: (this: unknown, inputs: tf.Tensor, kwargs: object) => tf.Tensor };
};

/** The layer's output and the gradients of Σ output·w for its kernel and its input, routed or with tfjs-layers' own call. */
function outputAndGrads(layer: tf.layers.Layer, x: tf.Tensor4D, call: (typeof cls)['prototype']['call']) {
  return tf.tidy(() => {
    const y = call.call(layer, x, {}) as tf.Tensor;
    const w = tf.tensor(randn(y.size, 5), y.shape);
    const kernel = layer.trainableWeights[0]!.read();
    const f = (input: tf.Tensor, k: tf.Tensor) => {
      const saved = (layer as unknown as { kernel: { read(): tf.Tensor } }).kernel;
      (layer as unknown as { kernel: { read(): tf.Tensor } }).kernel = { read: () => k };
      try {
        return tf.sum(tf.mul(call.call(layer, input, {}) as tf.Tensor, w));
      } finally {
        (layer as unknown as { kernel: unknown }).kernel = saved;
      }
    };
    const [dx, dk] = tf.grads(f)([x, kernel]);
    return { y: y.dataSync(), dx: dx!.dataSync(), dk: dk!.dataSync() };
  });
}

test('routed Conv2D (no bias, linear): the same output, kernel gradient and input gradient as tfjs-layers', () => {
  routeConv2dLayers();
  assert.ok(conv2dLayersRouted());
  const own = Object.getPrototypeOf(cls.prototype).call as (typeof cls)['prototype']['call']; // Conv's call
  for (const [padding, strides, dilationRate] of [
    ['same', 1, 1],
    ['valid', 2, 1],
    ['same', 1, 2],
  ] as const) {
    const layer = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding, strides, dilationRate, useBias: false, inputShape: [7, 6, 3] });
    tf.sequential({ layers: [layer] });
    const x = tf.tensor4d(randn(2 * 7 * 6 * 3, 3), [2, 7, 6, 3]);
    if (dilationRate === 1) {
      const got = outputAndGrads(layer, x, cls.prototype.call);
      const ref = outputAndGrads(layer, x, own);
      assertClose(got.y, ref.y, 1e-5, 1e-6, `${padding} y`);
      assertClose(got.dx, ref.dx, 1e-5, 1e-6, `${padding} dx`);
      assertClose(got.dk, ref.dk, 1e-5, 1e-6, `${padding} dkernel`);
    } else {
      // tfjs has no gradient for dilated convolutions, fused or not: the forward only
      const ref = tf.tidy(() => (own.call(layer, x, {}) as tf.Tensor).dataSync());
      assertClose(
        tf.tidy(() => (cls.prototype.call.call(layer, x, {}) as tf.Tensor).dataSync()),
        ref,
        1e-5,
        1e-6,
        'dilated y',
      );
    }
    x.dispose();
  }
});

test('routed Conv2D: a training step computes no input gradient for the first layer, the next layer still gets its own', () => {
  routeConv2dLayers();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, inputShape: [8, 8, 2] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), // not routed (bias, relu)
    ],
  });
  const x = tf.tensor4d(randn(2 * 8 * 8 * 2, 4), [2, 8, 8, 2]);
  const before = tf.memory().numTensors;
  const counts = new Map<string, number>();
  return tf
    .profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
    })
    .then((p) => {
      for (const k of p.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
      assert.equal(counts.get('Conv2DBackpropFilter') ?? 0, 3, 'three kernel gradients');
      // the fused third layer computes its input gradient with its filter's; the second's is asked
      // for by the first layer's kernel; the first layer's input (x) needs none
      assert.equal(counts.get('Conv2DBackpropInput') ?? 0, 2, 'input gradients of layers 2 and 3 only');
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      x.dispose();
      model.dispose();
    });
});

test('Conv2D with bias or an activation keeps tfjs-layers call (fused), and its values', () => {
  routeConv2dLayers();
  const layer = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [5, 5, 2] });
  const model = tf.sequential({ layers: [layer] });
  const x = tf.tensor4d(randn(5 * 5 * 2, 6), [1, 5, 5, 2]);
  const y = model.predict(x) as tf.Tensor;
  const ref = tf.tidy(() => tf.relu(tf.add(tf.conv2d(x, layer.getWeights()[0] as tf.Tensor4D, 1, 'same'), layer.getWeights()[1]!)));
  assertClose(y.dataSync(), ref.dataSync(), 1e-5, 1e-6, 'fused');
  tf.dispose([x, y, ref]);
  model.dispose();
});
