import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { projectionHead } from '../../src/models/projection-head.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, assertNoLeak, randn } from '../support/tensors.js';

before(async () => useBackend());

const trainable = (m: tf.LayersModel) => m.trainableWeights.reduce((s, w) => s + tf.util.sizeFromShape(w.shape as number[]), 0);

test("projectionHead 128-128-64 has the peer head's 24,768 parameters and maps [N,128] to [N,64]", () => {
  const m = projectionHead({ inputDim: 128, hiddenDim: 128, outputDim: 64 });
  assert.equal(trainable(m), 24768); // simclr_step_torch.py: Linear(128,128) + Linear(128,64)
  const x = tf.tensor2d(randn(5 * 128, 4), [5, 128]);
  const z = assertNoLeak(() => m.predict(x) as tf.Tensor, 'predict') as tf.Tensor;
  assert.deepEqual(z.shape, [5, 64]);
  x.dispose();
  m.dispose();
});

test('projectionHead defaults: hidden = input, output 128; batchNorm drops the hidden bias', () => {
  const m = projectionHead({ inputDim: 32 });
  assert.deepEqual(m.outputs[0]!.shape, [null, 128]);
  assert.equal(trainable(m), 32 * 32 + 32 + 32 * 128 + 128);
  const b = projectionHead({ inputDim: 32, batchNorm: true });
  assert.equal(trainable(b), 32 * 32 + 2 * 32 + 32 * 128 + 128);
  m.dispose();
  b.dispose();
});

test('projectionHead rejects a bad inputDim with ConfigError', () => {
  assert.throws(() => projectionHead({ inputDim: 0 }), ConfigError);
  assert.throws(() => projectionHead({ inputDim: 8, outputDim: 2.5 }), /projectionHead: `outputDim`/);
});

test('projectionHead layers 1: one Dense(output), z = h W + b, no hidden layer; layers must be 1 or 2', () => {
  const m = projectionHead({ inputDim: 6, outputDim: 4, layers: 1, seed: 3 });
  assert.equal(trainable(m), 6 * 4 + 4);
  assert.equal(m.layers.filter((l) => l.getClassName() === 'Dense').length, 1);
  const x = tf.tensor2d(randn(3 * 6, 5), [3, 6]);
  assertNoLeak(() => m.predict(x) as tf.Tensor, 'predict');
  const gap = tf.tidy(() => {
    const [w, b] = m.getWeights();
    return tf.max(tf.abs(tf.sub(m.predict(x) as tf.Tensor, tf.add(tf.matMul(x, w!), b!))));
  });
  assert.ok(gap.dataSync()[0]! < 1e-6);
  tf.dispose([x, gap]);
  m.dispose();
  assert.throws(
    () => projectionHead({ inputDim: 6, layers: 3 as never }),
    (e) => e instanceof ConfigError && /projectionHead: `layers` must be 1 or 2, got 3/.test(e.message),
  );
});
