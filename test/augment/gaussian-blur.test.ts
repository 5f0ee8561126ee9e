import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { gaussianBlur, gaussianKernel } from '../../src/augment/gaussian-blur.js';
import { assertClose, useBackend } from '../support/tensors.js';
import { assertDeterministic, assertWithin, randomImages, run } from './helpers.js';

before(() => useBackend());

/** Reflect index into [0, n) without repeating the edge (numpy 'reflect'). */
const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);

/** Per-sample 2-D separable blur with reflected borders, drawing sigma as gaussianBlur does. */
function naiveBlur(x: Float32Array, [n, h, w, c]: number[], rng: Rng, p: number, sigma: [number, number], radius: number): number[] {
  const out = Array.from(x);
  for (let b = 0; b < n!; b++) {
    const blur = rng.bernoulli(p);
    const s = rng.uniform(sigma[0], sigma[1]);
    if (!blur) continue;
    const k = gaussianKernel(radius, s);
    const at = (i: number, j: number, ch: number): number => x[((b * h! + i) * w! + j) * c! + ch]!;
    for (let i = 0; i < h!; i++) {
      for (let j = 0; j < w!; j++) {
        for (let ch = 0; ch < c!; ch++) {
          let sum = 0;
          for (let di = -radius; di <= radius; di++) {
            for (let dj = -radius; dj <= radius; dj++)
              sum += k[di + radius]! * k[dj + radius]! * at(reflect(i + di, h!), reflect(j + dj, w!), ch);
          }
          out[((b * h! + i) * w! + j) * c! + ch] = sum;
        }
      }
    }
  }
  return out;
}

test('gaussianKernel: normalised, symmetric, peaked at the centre', () => {
  const k = gaussianKernel(3, 1.2);
  assertClose(
    k.reduce((a, v) => a + v, 0),
    1,
    1e-6,
  );
  for (let i = 0; i < 3; i++) assert.equal(k[i], k[6 - i]);
  assert.ok(k[3]! > k[2]! && k[2]! > k[1]!);
});

test('gaussianBlur: equals a per-sample 2-D reference with its own sigma (reflect borders)', () => {
  const x = randomImages([10, 9, 11, 3], 8);
  const y = run(gaussianBlur({ probability: 0.6, sigma: [0.1, 2], kernelSize: 5 }), x, new Rng(12));
  assert.deepEqual(y.shape, [10, 9, 11, 3]);
  const expected = naiveBlur(x.dataSync() as Float32Array, x.shape, new Rng(12), 0.6, [0.1, 2], 2);
  assertClose(y.values, expected, 1e-4, 1e-5, 'blurred pixels');
  x.dispose();
});

test('gaussianBlur: wide images (W C > 128, the depthwise form) match the same reference', () => {
  const x = randomImages([3, 7, 50, 3], 9);
  const y = run(gaussianBlur({ probability: 0.7, sigma: [0.5, 2], kernelSize: 7 }), x, new Rng(13));
  const expected = naiveBlur(x.dataSync() as Float32Array, x.shape, new Rng(13), 0.7, [0.5, 2], 3);
  assertClose(y.values, expected, 1e-4, 1e-5, 'blurred pixels (depthwise)');
  x.dispose();
});

test('gaussianBlur: default kernel is 10% of the side; it smooths noise and keeps constants and the range', () => {
  const x = randomImages([4, 40, 40, 1]);
  const y = run(gaussianBlur({ probability: 1, sigma: [1.5, 2] }), x, new Rng(1)); // kernel 4 -> 5 taps
  assertWithin(y.values, 0, 1);
  const variance = (v: ArrayLike<number>): number => {
    const a = Array.from(v);
    const m = a.reduce((s, t) => s + t, 0) / a.length;
    return a.reduce((s, t) => s + (t - m) ** 2, 0) / a.length;
  };
  assert.ok(variance(y.values) < 0.3 * variance(x.dataSync()), 'blur must reduce the variance of white noise');
  const expected = naiveBlur(x.dataSync() as Float32Array, x.shape, new Rng(1), 1, [1.5, 2], 2);
  assertClose(y.values, expected, 1e-4, 1e-5, 'default kernel size');
  const flat = tf.fill([2, 8, 8, 3], 0.3);
  assertClose(run(gaussianBlur({ probability: 1 }), flat, new Rng(1)).values, new Float32Array(384).fill(0.3), 1e-5, 1e-6);
  tf.dispose([x, flat]);
});

test('gaussianBlur: probability 0 is the identity; tiny images do not break the reflection', () => {
  const x = randomImages([3, 6, 6, 3]);
  assert.deepEqual(run(gaussianBlur({ probability: 0 }), x, new Rng(1)).values, x.dataSync());
  const tiny = randomImages([2, 2, 3, 1]);
  const y = run(gaussianBlur({ probability: 1, kernelSize: 9 }), tiny, new Rng(1));
  assert.deepEqual(y.shape, [2, 2, 3, 1]);
  tf.dispose([x, tiny]);
});

test('gaussianBlur: deterministic under a seed', () => {
  const x = randomImages([8, 10, 10, 3]);
  assertDeterministic(gaussianBlur({ kernelSize: 3 }), x);
  x.dispose();
});

test('gaussianBlur: bad options are typed errors', () => {
  assert.throws(() => gaussianBlur({ sigma: [0, 1] }), ConfigError);
  assert.throws(() => gaussianBlur({ kernelSize: 2.5 }), /gaussianBlur: `kernelSize` must be an integer >= 1, got 2.5/);
});
