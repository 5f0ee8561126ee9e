import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { alignmentUniformity } from '../../src/eval/alignment-uniformity.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeakAsync, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('hand-computed case: swapped unit vectors', async () => {
  // x = (e1, e2), y = (e2, e1): every pair is sqrt(2) apart -> alignment 2 (α = 2);
  // the one pair of x (and of y) has squared distance 2 -> uniformity log exp(-2 * 2) = -4.
  const x = { data: Float32Array.from([3, 0, 0, 0.5]), dim: 2 }; // not unit: normalised first
  const y = { data: Float32Array.from([0, 1, 2, 0]), dim: 2 };
  const r = await alignmentUniformity(x, y);
  assertClose(r.alignment, 2, 1e-6);
  assertClose(r.uniformity, -4, 1e-6);
  const r1 = await alignmentUniformity(x, y, { alpha: 1, t: 1 });
  assertClose(r1.alignment, Math.SQRT2, 1e-6);
  assertClose(r1.uniformity, -2, 1e-6);
});

test('identical views are perfectly aligned; uniformity lies in [-4t, 0]', async () => {
  const x = tf.tensor2d(randn(64 * 8, 1), [64, 8]);
  const r = await alignmentUniformity(x, x);
  x.dispose();
  assertClose(r.alignment, 0, 0, 1e-6);
  assert.ok(r.uniformity < 0 && r.uniformity >= -8, `uniformity ${r.uniformity}`);
});

test('uniformity on a seeded subset: deterministic, close to the full value', async () => {
  const x = { data: randn(600 * 4, 2), dim: 4 };
  const y = { data: randn(600 * 4, 3), dim: 4 };
  const full = await alignmentUniformity(x, y);
  const a = await alignmentUniformity(x, y, { maxUniformityRows: 200, seed: 4 });
  const b = await alignmentUniformity(x, y, { maxUniformityRows: 200, seed: 4 });
  assert.deepEqual(a, b);
  assert.equal(a.alignment, full.alignment); // alignment always uses every pair
  assertClose(a.uniformity, full.uniformity, 0.05);
});

test('leaks no tensors; typed errors', async () => {
  const x = tf.tensor2d(randn(10 * 3, 5), [10, 3]);
  await assertNoLeakAsync(async () => {
    await alignmentUniformity(x, x, { maxUniformityRows: 4 });
    await alignmentUniformity({ data: randn(12, 1), dim: 3 }, { data: randn(12, 2), dim: 3 });
  }, 'alignmentUniformity');
  await assert.rejects(
    alignmentUniformity(x, { data: new Float32Array(9), dim: 3 }),
    (e: unknown) => e instanceof ShapeError && /`y` must have 10 rows/.test(e.message),
  );
  await assert.rejects(alignmentUniformity({ data: new Float32Array(3), dim: 3 }, { data: new Float32Array(3), dim: 3 }), ShapeError);
  await assert.rejects(alignmentUniformity(x, x, { t: 0 }), ConfigError);
  x.dispose();
});
