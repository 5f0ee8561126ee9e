import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { resnet } from '../../src/models/resnet.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, assertNoLeak, randn } from '../support/tensors.js';

before(async () => useBackend());

const count = (ws: tf.LayerVariable[]) => ws.reduce((s, w) => s + tf.util.sizeFromShape(w.shape as number[]), 0);
const bench = { stemWidth: 32, widths: [32, 64, 128], blocksPerStage: [1, 1, 1] };

test("resnet (the peer's bench model) has PyTorch's 307,360 parameters and 1,344 BatchNorm statistics", () => {
  const m = resnet(bench);
  // ../shared/peers/simclr_step_torch.py resnet() without the head: parameters 307360,
  // float buffers (running mean + var) 1344
  assert.equal(count(m.trainableWeights), 307360);
  assert.equal(count(m.nonTrainableWeights), 1344);
  const x = tf.tensor4d(randn(2 * 32 * 32 * 3, 2), [2, 32, 32, 3]);
  const h = assertNoLeak(() => m.predict(x) as tf.Tensor, 'predict') as tf.Tensor;
  assert.deepEqual(h.shape, [2, 128]);
  x.dispose();
  m.dispose();
});

test('resnet default is the CIFAR ResNet-18: 11,168,832 parameters, [N, 512]', () => {
  const m = resnet();
  // CIFAR ResNet-18 without its classifier, counted in PyTorch with the peer's Block: 11168832
  assert.equal(count(m.trainableWeights), 11168832);
  assert.deepEqual(m.outputs[0]!.shape, [null, 512]);
  m.dispose();
});

test('resnet trains one step in training mode without leaking', () => {
  const m = resnet({ ...bench, widths: [8, 8, 16], stemWidth: 8, inputShape: [9, 9, 3] });
  const x = tf.tensor4d(randn(2 * 9 * 9 * 3, 3), [2, 9, 9, 3]);
  const opt = tf.train.adam(1e-3);
  const before = tf.memory().numTensors;
  const loss = opt.minimize(() => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true);
  loss!.dispose();
  const created = tf.memory().numTensors - before; // Adam's moments (2 per trainable weight) + its step counters
  assert.ok(created <= 2 * m.trainableWeights.length + 4, `created ${created}`);
  const out = m.predict(x) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 16]);
  tf.dispose([x, out]);
  opt.dispose();
  m.dispose();
});

test('resnet rejects bad options with ConfigError', () => {
  assert.throws(() => resnet({ widths: [8, 16], blocksPerStage: [1] }), ConfigError);
  assert.throws(() => resnet({ stemWidth: 0 }), /resnet: `stemWidth`/);
  assert.throws(() => resnet({ batchNormMomentum: 1 }), /batchNormMomentum/);
});
