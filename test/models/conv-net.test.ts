import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { convNet } from '../../src/models/conv-net.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, assertNoLeak, randn } from '../support/tensors.js';

before(async () => useBackend());

const trainable = (m: tf.LayersModel) => m.trainableWeights.reduce((s, w) => s + tf.util.sizeFromShape(w.shape as number[]), 0);

test("convNet maps [N, 28, 28, 1] to [N, 128] with the peer's 92,672 parameters", () => {
  const m = convNet();
  // ../shared/peers/simclr_step_torch.py small(), encoder part: sum(p.numel()) = 92672
  assert.equal(trainable(m), 92672);
  const x = tf.tensor4d(randn(3 * 28 * 28, 1), [3, 28, 28, 1]);
  const h = assertNoLeak(() => m.predict(x) as tf.Tensor, 'predict') as tf.Tensor;
  assert.deepEqual(h.shape, [3, 128]);
  x.dispose();
  m.dispose();
});

test('convNet takes other input shapes and widths', () => {
  const m = convNet({ inputShape: [32, 32, 3], widths: [8, 16] });
  assert.equal(trainable(m), 3 * 9 * 8 + 8 + (8 * 9 * 16 + 16));
  const x = tf.zeros([2, 32, 32, 3]);
  const h = m.predict(x) as tf.Tensor;
  assert.deepEqual(h.shape, [2, 16]);
  tf.dispose([x, h]);
  m.dispose();
});

test('convNet rejects bad options with ConfigError', () => {
  assert.throws(() => convNet({ widths: [] }), ConfigError);
  assert.throws(() => convNet({ inputShape: [28, 28] as never }), /convNet: `inputShape`/);
  assert.throws(() => convNet({ inputShape: [2, 2, 1], widths: [4, 4, 4] }), /at least 4x4/);
});

test('convNet with batchNorm: conv without bias -> BatchNorm -> ReLU, per-batch statistics in training', () => {
  const m = convNet({ widths: [8, 16], batchNorm: true });
  // kernels only (no conv bias) plus gamma and beta per BatchNorm
  assert.equal(trainable(m), 1 * 9 * 8 + 2 * 8 + 8 * 9 * 16 + 2 * 16);
  assert.deepEqual(
    m.layers.map((l) => l.getClassName()).filter((c) => c !== 'InputLayer'),
    ['Conv2D', 'BatchNormalization', 'ReLU', 'MaxPooling2D', 'Conv2D', 'BatchNormalization', 'ReLU', 'GlobalAveragePooling2D'],
  );
  const x = tf.tensor4d(randn(4 * 28 * 28, 2), [4, 28, 28, 1]);
  // training mode normalises with the batch's statistics, inference with the (initial) moving ones: different outputs
  assertNoLeak(() => m.apply(x, { training: true }) as tf.Tensor, 'apply training');
  const train = m.apply(x, { training: true }) as tf.Tensor;
  const infer = m.predict(x) as tf.Tensor;
  assert.deepEqual(train.shape, [4, 16]);
  assert.ok(tf.max(tf.abs(tf.sub(train, infer))).dataSync()[0]! > 1e-3);
  tf.dispose([x, train, infer]);
  m.dispose();
});
