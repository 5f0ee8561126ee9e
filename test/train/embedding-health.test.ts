import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { embeddingHealthMonitor } from '../../src/train/embedding-health.js';
import type { Method } from '../../src/methods/method.js';
import type { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

const data = new ArrayDataset({ name: 'r', kind: 'vector', sampleShape: [16], values: randn(300 * 16, 2) });
const noise = (x: tf.Tensor, rng: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()), 0.1)));

test('embeddingHealthMonitor: the same sample and views every call; a collapsed encoder gives std 0; no leak', async () => {
  const identity = { embed: (x: tf.Tensor) => tf.tidy(() => tf.reshape(x, [x.shape[0]!, 16]) as tf.Tensor2D) } as unknown as Method;
  const collapsed = { embed: (x: tf.Tensor) => tf.tidy(() => tf.ones([x.shape[0]!, 16]) as tf.Tensor2D) } as unknown as Method;
  const monitor = embeddingHealthMonitor(data, noise, { rows: 128, seed: 4 });
  const before = tf.memory().numTensors;
  const a = await monitor(identity);
  const b = await monitor(identity);
  assert.deepEqual(a, b, 'deterministic across epochs');
  assert.ok(a.alignment > 0 && a.alignment < 0.1, `small noise: well aligned (${a.alignment})`);
  assert.ok(a.uniformity < -1, `spread rows: ${a.uniformity}`);
  assert.ok(Math.abs(a.embeddingStd - 1 / 4) < 0.03, `about 1/sqrt(16): ${a.embeddingStd}`);
  const c = await monitor(collapsed);
  assert.ok(c.embeddingStd < 1e-6 && Math.abs(c.uniformity) < 1e-5 && c.alignment < 1e-9);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => embeddingHealthMonitor(data, noise, { rows: 1 }), ConfigError);
});
