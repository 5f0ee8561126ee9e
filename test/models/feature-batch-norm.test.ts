import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { convNet } from '../../src/models/conv-net.js';
import { resnet } from '../../src/models/resnet.js';
import { featureBatchNorm } from '../../src/models/feature-batch-norm.js';
import { useBackend, assertNoLeak, randn, reloadFromMemory } from '../support/tensors.js';

before(async () => useBackend());

const trainable = (m: tf.LayersModel) => m.trainableWeights.reduce((s, w) => s + tf.util.sizeFromShape(w.shape as number[]), 0);

test('featureBatchNorm has no trainable weights; training mode gives each feature zero mean and unit variance over the batch', () => {
  const layer = featureBatchNorm({ name: 'neck' });
  const x = tf.add(tf.mul(tf.tensor2d(randn(64 * 5, 3), [64, 5]), 3), 7); // [64, 5], mean 7, sd 3
  tf.dispose(layer.apply(x, { training: true }) as tf.Tensor); // builds the layer: its moving mean and variance
  assertNoLeak(() => layer.apply(x, { training: true }) as tf.Tensor, 'apply');
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  assert.equal(layer.trainableWeights.length, 0);
  const { mean, variance } = tf.moments(y, 0);
  for (const m of mean.dataSync()) assert.ok(Math.abs(m) < 1e-4, `mean ${m}`);
  for (const v of variance.dataSync()) assert.ok(Math.abs(v - 1) < 1e-3, `variance ${v}`);
  tf.dispose([x, y, mean, variance]);
});

test('convNet featureBatchNorm: same trainable parameters; inference centres h with the moving statistics; the saved model loads with tf.loadLayersModel', async () => {
  const plain = convNet({ widths: [8, 16], batchNorm: true, seed: 3 });
  const neck = convNet({ widths: [8, 16], batchNorm: true, seed: 3, featureBatchNorm: true });
  assert.equal(trainable(neck), trainable(plain));
  assert.equal(neck.layers.at(-1)!.getClassName(), 'BatchNormalization');
  assert.equal(neck.layers.at(-2)!.getClassName(), 'GlobalAveragePooling2D');
  const x = tf.tensor4d(randn(32 * 28 * 28, 4), [32, 28, 28, 1]);
  // a few training-mode passes move the moving mean/variance towards the pooled features' statistics
  for (let i = 0; i < 60; i++) tf.dispose(neck.apply(x, { training: true }) as tf.Tensor);
  const pooled = tf.model({ inputs: neck.inputs, outputs: neck.layers.at(-2)!.output as tf.SymbolicTensor });
  const g = pooled.predict(x) as tf.Tensor2D; // post-ReLU averages: every entry >= 0
  const h = neck.predict(x) as tf.Tensor2D;
  assert.ok(Math.min(...g.dataSync()) >= 0);
  // inference: h = (pooled - moving mean) / sqrt(moving variance + 1e-5), nothing else
  const [movingMean, movingVariance] = neck.layers.at(-1)!.getWeights() as [tf.Tensor1D, tf.Tensor1D];
  const expected = tf.div(tf.sub(g, movingMean), tf.sqrt(tf.add(movingVariance, 1e-5)));
  assert.ok(tf.max(tf.abs(tf.sub(h, expected))).dataSync()[0]! < 1e-4);
  // and the moving statistics have followed the data: h is roughly centred, with both signs
  const hMean = tf.mean(h, 0);
  for (const m of hMean.dataSync()) assert.ok(Math.abs(m) < 0.5, `feature mean ${m} after 60 training passes`);
  assert.ok(Math.min(...h.dataSync()) < 0, 'centred features take both signs');
  const loaded = await reloadFromMemory(neck);
  const h2 = loaded.predict(x) as tf.Tensor;
  assert.ok(tf.max(tf.abs(tf.sub(h, h2))).dataSync()[0]! < 1e-5);
  tf.dispose(h2);
  loaded.dispose();
  tf.dispose([x, g, h, hMean, expected]);
  plain.dispose();
  neck.dispose();
});

test('resnet featureBatchNorm: one parameter-free BatchNorm after the pooling', () => {
  const opts = { inputShape: [9, 9, 3] as [number, number, number], stemWidth: 4, widths: [4, 8], blocksPerStage: [1, 1] };
  const plain = resnet(opts);
  const neck = resnet({ ...opts, featureBatchNorm: true });
  assert.equal(trainable(neck), trainable(plain));
  assert.equal(neck.layers.length, plain.layers.length + 1);
  assert.equal(neck.layers.at(-1)!.getClassName(), 'BatchNormalization');
  const x = tf.zeros([2, 9, 9, 3]);
  const h = assertNoLeak(() => neck.predict(x) as tf.Tensor, 'predict') as tf.Tensor;
  assert.deepEqual(h.shape, [2, 8]);
  tf.dispose([x, h]);
  plain.dispose();
  neck.dispose();
});
