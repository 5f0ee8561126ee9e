import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { embeddingStd } from '../../src/eval/embedding-std.js';
import { ShapeError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

test('embeddingStd: 0 for collapsed rows, 0.5 for e1/e2 (hand-computed), about 1/sqrt(D) for random rows; scale-free; no leak', async () => {
  assert.ok(
    Math.abs(await embeddingStd({ data: Float32Array.from([3, 4, 6, 8, 0.3, 0.4]), dim: 2 })) < 1e-6,
    'three rows along one direction',
  );
  // rows (1, 0) and (0, 1): each dimension is {1, 0}, population std 0.5
  assert.ok(Math.abs((await embeddingStd({ data: Float32Array.from([1, 0, 0, 5]), dim: 2 })) - 0.5) < 1e-6);
  const d = 64;
  const x = randn(2000 * d, 3);
  const s = await embeddingStd({ data: x, dim: d });
  assert.ok(Math.abs(s - 1 / Math.sqrt(d)) < 0.01, `random rows: ${s} vs ${1 / Math.sqrt(d)}`);
  const before = tf.memory().numTensors;
  const t = tf.tensor2d(x.subarray(0, 10 * d), [10, d]);
  await embeddingStd(t);
  t.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(() => embeddingStd({ data: Float32Array.from([1, 2]), dim: 2 }), ShapeError);
});
