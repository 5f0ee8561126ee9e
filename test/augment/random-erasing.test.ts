import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { randomErasing } from '../../src/augment/random-erasing.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, randomImages, run } from './helpers.js';

before(() => useBackend());

/** The bounding box and count of the pixels equal to `value` in sample b of a [B, H, W, 1] array. */
function erased(y: Float32Array, b: number, h: number, w: number, value: number): { count: number; rows: number; cols: number } {
  let [top, left, bottom, right, count] = [h, w, -1, -1, 0];
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      if (y[(b * h + i) * w + j] !== value) continue;
      count++;
      [top, left, bottom, right] = [Math.min(top, i), Math.min(left, j), Math.max(bottom, i), Math.max(right, j)];
    }
  }
  return { count, rows: bottom - top + 1, cols: right - left + 1 };
}

test('randomErasing: one filled rectangle per sample, its area within the scale range', () => {
  const [n, h, w] = [400, 32, 32];
  const x = tf.ones([n, h, w, 1]);
  const y = run(randomErasing({ probability: 1, scale: [0.05, 0.3], value: 0.25 }), x, new Rng(1));
  assert.deepEqual(y.shape, [n, h, w, 1]);
  let hits = 0;
  const areas: number[] = [];
  for (let b = 0; b < n; b++) {
    const e = erased(y.values, b, h, w, 0.25);
    if (e.count === 0) continue; // 10 misses: left as it is
    hits++;
    assert.equal(e.count, e.rows * e.cols, `sample ${b}: the erased pixels must form a full rectangle`);
    assert.ok(
      y.values.subarray(b * h * w, (b + 1) * h * w).every((v) => v === 1 || v === 0.25),
      'other pixels are untouched',
    );
    areas.push(e.count / (h * w));
  }
  assert.ok(hits > 0.9 * n, `most samples get a rectangle, got ${hits} of ${n}`);
  for (const a of areas) assert.ok(a > 0.04 && a < 0.32, `area ${a} outside the scale range`);
  const mean = areas.reduce((s, a) => s + a, 0) / areas.length;
  assert.ok(mean > 0.13 && mean < 0.2, `mean area ${mean} should be near 0.175`);
  x.dispose();
});

test('randomErasing: the erased share matches the probability; every channel is erased', () => {
  const x = tf.ones([1000, 8, 8, 3]);
  const y = run(randomErasing({ probability: 0.4, scale: [0.1, 0.2] }), x, new Rng(2)).values;
  let hit = 0;
  for (let b = 0; b < 1000; b++) {
    const s = y.subarray(b * 192, (b + 1) * 192);
    const zeros = s.filter((v) => v === 0).length;
    assert.equal(zeros % 3, 0);
    if (zeros > 0) hit++;
  }
  assert.ok(Math.abs(hit / 1000 - 0.4) < 4 * Math.sqrt(0.24 / 1000), `erased share ${hit / 1000}`);
  x.dispose();
});

test('randomErasing: probability 0 is the identity; deterministic under a seed', () => {
  const x = randomImages([16, 10, 10, 3]);
  assert.deepEqual(run(randomErasing({ probability: 0 }), x, new Rng(1)).values, x.dataSync());
  assertDeterministic(randomErasing(), x);
  x.dispose();
});

test('randomErasing: bad options are typed errors', () => {
  assert.throws(() => randomErasing({ scale: [0.2, 0.1] }), ConfigError);
  assert.throws(() => randomErasing({ value: Infinity }), /randomErasing: `value` must be a finite number/);
});
