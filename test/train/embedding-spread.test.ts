import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { embeddingSpreadMonitor, spreadNote } from '../../src/train/embedding-spread.js';
import type { Method } from '../../src/methods/method.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

const data = new ArrayDataset({ name: 'r', kind: 'vector', sampleShape: [16], values: randn(300 * 16, 2) });
const encoder = (f: (x: tf.Tensor2D) => tf.Tensor2D): Method =>
  ({ embed: (x: tf.Tensor) => tf.tidy(() => f(tf.reshape(x, [x.shape[0]!, 16]))) }) as unknown as Method;

test('embeddingSpreadMonitor: spread, one-direction and near-constant encoders told apart; every-th call; no leak', async () => {
  const monitor = embeddingSpreadMonitor(data, { rows: 200, seed: 1 });
  const before = tf.memory().numTensors;
  const spread = await monitor(encoder((x) => x));
  assert.ok('effectiveRank' in spread && spread.effectiveRank > 12, `isotropic rows: rank ${JSON.stringify(spread)}`);
  assert.equal(spread.spreadNote, undefined);
  // every row a multiple of one vector: rank 1
  const line = await monitor(encoder((x) => tf.mul(tf.slice(x, [0, 0], [-1, 1]), tf.ones([1, 16]))));
  assert.ok('spreadNote' in line && /degenerate representation: effective rank 1\.00/.test(line.spreadNote!), JSON.stringify(line));
  // a large common offset plus small isotropic noise: full rank, but every row points the same way
  const offset = await monitor(encoder((x) => tf.add(tf.mul(x, 0.001), 1)));
  assert.ok('spreadNote' in offset && /near-constant representation/.test(offset.spreadNote!), JSON.stringify(offset));
  assert.ok(offset.effectiveRank! > 12);
  assert.equal(tf.memory().numTensors, before);
  // every 3rd call only (the first measured)
  const sparse = embeddingSpreadMonitor(data, { rows: 50, every: 3 });
  const got = [];
  for (let i = 0; i < 4; i++) got.push('embeddingStd' in (await sparse(encoder((x) => x))));
  assert.deepEqual(got, [true, false, false, true]);
  assert.throws(() => embeddingSpreadMonitor(data, { rows: 1 }), ConfigError);
  assert.throws(() => embeddingSpreadMonitor(data, { every: 0 }), ConfigError);
});

test('spreadNote: thresholds', () => {
  assert.equal(spreadNote(0.25, 10, 16), undefined);
  assert.match(spreadNote(0.25, 1.5, 16)!, /effective rank 1\.50 of 16/);
  assert.match(spreadNote(0.02, 10, 16)!, /near-constant/);
  assert.equal(spreadNote(0.03, 10, 16), undefined);
});
