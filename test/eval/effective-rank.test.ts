import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { effectiveRank, symmetricEigenvalues } from '../../src/eval/effective-rank.js';
import { ShapeError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

test('symmetricEigenvalues: a hand-checked 2 x 2 and a diagonal', () => {
  // [[2, 1], [1, 2]]: eigenvalues 1 and 3
  const e = Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2)).sort((a, b) => a - b);
  assert.ok(Math.abs(e[0]! - 1) < 1e-12 && Math.abs(e[1]! - 3) < 1e-12, `got ${e}`);
  assert.deepEqual(Array.from(symmetricEigenvalues(Float64Array.from([5, 0, 0, 7]), 2)), [5, 7]);
});

test('effectiveRank: 1 along one direction, 2 for two equal directions, about D for isotropic rows, 0 for constant rows; no leak', async () => {
  // rows on one line through the mean: one non-zero singular value
  const line = await effectiveRank({ data: Float32Array.from([1, 2, 2, 4, 3, 6, -1, -2]), dim: 2 });
  assert.ok(Math.abs(line - 1) < 1e-6, `line: ${line}`);
  // (±1, 0), (0, ±1): two equal singular values -> exp(log 2) = 2
  const cross = await effectiveRank({ data: Float32Array.from([1, 0, -1, 0, 0, 1, 0, -1]), dim: 2 });
  assert.ok(Math.abs(cross - 2) < 1e-6, `cross: ${cross}`);
  assert.equal(await effectiveRank({ data: Float32Array.from([3, 3, 3, 3, 3, 3]), dim: 3 }), 0);
  const d = 16;
  const x = randn(4000 * d, 5);
  const iso = await effectiveRank({ data: x, dim: d });
  assert.ok(iso > 0.95 * d && iso <= d + 1e-9, `isotropic: ${iso} of ${d}`);
  // scale-free: the same rows times 1000
  const scaled = await effectiveRank({ data: x.map((v) => v * 1000), dim: d });
  assert.ok(Math.abs(scaled - iso) < 1e-3 * iso, `scaled: ${scaled} vs ${iso}`);
  const before = tf.memory().numTensors;
  const t = tf.tensor2d(x.subarray(0, 50 * d), [50, d]);
  await effectiveRank(t);
  t.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(() => effectiveRank({ data: Float32Array.from([1, 2]), dim: 2 }), ShapeError);
});
