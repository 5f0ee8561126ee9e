import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { npidNceLoss, estimateNceNormalizer } from '../../src/losses/npid-nce.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

await useBackend();

type Mat = number[][];
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const normalize = (a: number[]): number[] => {
  const n = Math.sqrt(dot(a, a));
  return a.map((v) => v / n);
};
const mat = (rows: number, cols: number, seed: number, unit = false): Mat => {
  const v = randn(rows * cols, seed);
  const m = Array.from({ length: rows }, (_, r) => Array.from(v.subarray(r * cols, (r + 1) * cols)));
  return unit ? m.map(normalize) : m;
};
const transpose = (m: Mat): Mat => m[0]!.map((_, c) => m.map((row) => row[c]!));

/** The reference's NCECriterion over NCEAverage's output, in float64 (eps left out). */
function refLoss(f: Mat, pos: Mat, noise: Mat, t: number, z: number, n: number): number {
  const k = noise.length;
  let total = 0;
  f.forEach((row, b) => {
    const v = normalize(row);
    const p = Math.exp(dot(v, pos[b]!) / t) / z;
    total += Math.log(p / (p + k / n));
    for (const m of noise) {
      const q = Math.exp(dot(v, m) / t) / z;
      total += Math.log(1 - q / (q + k / n));
    }
  });
  return -total / f.length;
}

function loss(f: Mat, pos: Mat, noise: Mat, t: number, z: number, n: number): number {
  const [a, b, c] = [tf.tensor2d(f), tf.tensor2d(pos), tf.tensor2d(transpose(noise))];
  const l = npidNceLoss(a, b, c, { temperature: t, normalizer: z, bankSize: n });
  const v = l.dataSync()[0]!;
  tf.dispose([a, b, c, l]);
  return v;
}

test('npidNceLoss: matches the reference criterion (P = exp(m.v/τ)/Z, h = P/(P + K/N))', () => {
  for (const [bsz, d, k, t, n, seed] of [
    [4, 8, 16, 0.07, 1000, 1],
    [3, 5, 7, 0.5, 50, 2],
  ] as const) {
    const f = mat(bsz, d, seed);
    const pos = mat(bsz, d, seed + 10, true);
    const noise = mat(k, d, seed + 20, true);
    const ts = [tf.tensor2d(f), tf.tensor2d(pos), tf.tensor2d(transpose(noise))] as const;
    const z = estimateNceNormalizer(ts[0], ts[1], ts[2], { temperature: t, bankSize: n });
    tf.dispose([...ts]);
    assertClose(loss(f, pos, noise, t, z, n), refLoss(f, pos, noise, t, z, n), 1e-4, 1e-5, `B=${bsz} K=${k}`);
  }
});

test('estimateNceNormalizer: N * mean(exp(s/τ)) over the batch positives and noise', () => {
  const f = [
    [1, 0],
    [0, 2],
  ];
  const pos = [
    [1, 0],
    [1, 0],
  ];
  const noise = [[0, 1]];
  // scores with v = [1,0], [0,1]: positives 1, 0; noise 0, 1 (τ = 1)
  const want = 10 * ((Math.E + 1 + 1 + Math.E) / 4);
  const tensors = [tf.tensor2d(f), tf.tensor2d(pos), tf.tensor2d(transpose(noise))] as const;
  const before = tf.memory().numTensors;
  const z = estimateNceNormalizer(tensors[0], tensors[1], tensors[2], { temperature: 1, bankSize: 10 });
  assert.equal(tf.memory().numTensors, before);
  assertClose(z, want, 1e-6);
  tf.dispose([...tensors]);
});

test('npidNceLoss: gradient w.r.t. the features matches finite differences; no leaks', () => {
  const t = 0.3;
  const f = mat(3, 4, 5);
  const pos = mat(3, 4, 6, true);
  const noise = mat(5, 4, 7, true);
  const z = 40;
  const n = 100;
  const [b, c] = [tf.tensor2d(pos), tf.tensor2d(transpose(noise))];
  const a = tf.tensor2d(f);
  const before = tf.memory().numTensors;
  const g = tf.grad((x: tf.Tensor) => npidNceLoss(x as tf.Tensor2D, b, c, { temperature: t, normalizer: z, bankSize: n }))(a);
  const got = Array.from(g.dataSync());
  g.dispose();
  assert.equal(tf.memory().numTensors, before, 'tf.grad leaked');
  assertNoLeak(() => npidNceLoss(a, b, c, { temperature: t, normalizer: z, bankSize: n }), 'npidNceLoss');
  tf.dispose([a, b, c]);
  const h = 1e-5;
  const fd: number[] = [];
  for (let r = 0; r < f.length; r++) {
    for (let col = 0; col < f[r]!.length; col++) {
      const p = f.map((row) => row.slice());
      const m = f.map((row) => row.slice());
      p[r]![col]! += h;
      m[r]![col]! -= h;
      fd.push((refLoss(p, pos, noise, t, z, n) - refLoss(m, pos, noise, t, z, n)) / (2 * h));
    }
  }
  assertClose(got, fd, 2e-3, 2e-4, 'gradient');
});

test('npidNceLoss: typed errors', () => {
  const a = tf.zeros([2, 3]) as tf.Tensor2D;
  const wrong = tf.zeros([4, 5]) as tf.Tensor2D;
  const noiseT = tf.zeros([3, 5]) as tf.Tensor2D;
  assert.throws(
    () => npidNceLoss(a, wrong, noiseT, { normalizer: 1, bankSize: 10 }),
    (e) => e instanceof ShapeError && /npidNceLoss: `positives` must have shape \[2, 3\]/.test(e.message),
  );
  assert.throws(
    () => npidNceLoss(a, a, wrong, { normalizer: 1, bankSize: 10 }),
    (e) => e instanceof ShapeError && /`noiseT` must have shape \[3, \*\]/.test(e.message),
  );
  assert.throws(
    () => npidNceLoss(a, a, noiseT, { normalizer: -1, bankSize: 10 }),
    (e) => e instanceof ConfigError && /`normalizer` must be > 0, got -1/.test(e.message),
  );
  assert.throws(
    () => npidNceLoss(a, a, noiseT, { normalizer: 1, bankSize: 0 }),
    (e) => e instanceof ConfigError && /`bankSize`/.test(e.message),
  );
  tf.dispose([a, wrong, noiseT]);
});
