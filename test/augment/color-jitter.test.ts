import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { colorJitter } from '../../src/augment/color-jitter.js';
import { shiftHue } from '../../src/augment/hue.js';
import { assertClose, useBackend } from '../support/tensors.js';
import { assertDeterministic, assertWithin, randomImages, run } from './helpers.js';

before(() => useBackend());

// torchvision's luminance weights sum to 0.9999, not 1: the grey level of a grey pixel is 0.9999 of it.
const LUMA_SUM_TOL = 1.5e-4;

const clamp = (v: number): number => Math.min(1, Math.max(0, v));
const grey = (r: number, g: number, b: number): number => 0.2989 * r + 0.587 * g + 0.114 * b;

/** torchvision's adjust_hue on one pixel, written out: RGB -> HSV (hexcone), h + shift mod 1, HSV -> RGB by sector. */
function naiveHue([r, g, b]: number[], shift: number): number[] {
  const max = Math.max(r!, g!, b!);
  const min = Math.min(r!, g!, b!);
  const c = max - min;
  const s = max === 0 ? 0 : c / max;
  let h = 0;
  if (c > 0) {
    if (max === r) h = (g! - b!) / c / 6;
    else if (max === g) h = ((b! - r!) / c + 2) / 6;
    else h = ((r! - g!) / c + 4) / 6;
  }
  h = (((h + shift) % 1) + 1) % 1;
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const v = max;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  return [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i]!;
}

test('shiftHue: matches torchvision-style HSV rotation pixel by pixel', () => {
  const x = randomImages([6, 5, 5, 3], 3);
  const shifts = [0, 0.1, -0.1, 0.5, 1 / 3, -0.45];
  const y = tf.tidy(() => shiftHue(x, shifts).dataSync());
  const xv = x.dataSync();
  const expected: number[] = [];
  for (let p = 0; p < 6 * 25; p++) expected.push(...naiveHue(Array.from(xv.subarray(p * 3, p * 3 + 3)), shifts[Math.floor(p / 25)]!));
  assertClose(y, expected, 1e-4, 1e-5, 'hue-shifted pixels');
  x.dispose();
});

/** Per-sample reference of colorJitter drawing from the Rng in the same order as the batched version. */
function naiveJitter(
  x: Float32Array,
  [n, h, w]: number[],
  rng: Rng,
  o: { probability: number; brightness: number; contrast: number; saturation: number; hue: number },
): number[] {
  const per = h! * w! * 3;
  const out: number[] = [];
  for (let b = 0; b < n!; b++) {
    const applied = rng.bernoulli(o.probability);
    const order = rng.shuffle([0, 1, 2, 3]);
    const fac = (s: number): number => rng.uniform(Math.max(0, 1 - s), 1 + s);
    const f = [fac(o.brightness), fac(o.contrast), fac(o.saturation), rng.uniform(-o.hue, o.hue)];
    let img = Array.from(x.subarray(b * per, (b + 1) * per));
    if (!applied) {
      out.push(...img);
      continue;
    }
    for (const op of order) {
      const px = (k: number): number[] => img.slice(k * 3, k * 3 + 3);
      const greys = Array.from({ length: h! * w! }, (_, k) => grey(...(px(k) as [number, number, number])));
      const mean = greys.reduce((a, v) => a + v, 0) / greys.length;
      const fo = f[op]!;
      if (op === 0) img = img.map((v) => clamp(fo * v));
      if (op === 1) img = img.map((v) => clamp(fo * v + (1 - fo) * mean));
      if (op === 2) img = img.map((v, i) => clamp(fo * v + (1 - fo) * greys[Math.floor(i / 3)]!));
      if (op === 3) img = Array.from({ length: h! * w! }, (_, k) => naiveHue(px(k), fo)).flat();
    }
    out.push(...img);
  }
  return out;
}

test('colorJitter: equals a per-sample torchvision-style reference (random order per sample)', () => {
  const options = { probability: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 };
  const x = randomImages([24, 4, 4, 3], 5);
  const y = run(colorJitter(options), x, new Rng(21));
  const expected = naiveJitter(x.dataSync() as Float32Array, x.shape, new Rng(21), options);
  assertClose(y.values, expected, 1e-4, 1e-4, 'jittered pixels');
  x.dispose();
});

test('colorJitter: keeps shape, dtype and the [0, 1] range', () => {
  const x = randomImages([8, 6, 6, 3]);
  const y = run(colorJitter({ probability: 1, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.5 }), x, new Rng(1));
  assert.deepEqual(y.shape, [8, 6, 6, 3]);
  assert.equal(y.dtype, 'float32');
  assertWithin(y.values, 0, 1);
  x.dispose();
});

test('colorJitter: brightness alone scales each sample by one factor in [1 - b, 1 + b]', () => {
  const x = tf.tidy(() => tf.add(tf.mul(randomImages([32, 3, 3, 3]), 0.5), 0.1)); // [0.1, 0.6]: f x never clamps
  const y = run(colorJitter({ probability: 1, brightness: 0.4, contrast: 0, saturation: 0, hue: 0 }), x, new Rng(2)).values;
  const xv = x.dataSync();
  const factors = Array.from({ length: 32 }, (_, b) => {
    const f = y[b * 27]! / xv[b * 27]!;
    for (let i = 0; i < 27; i++) assertClose(y[b * 27 + i]!, f * xv[b * 27 + i]!, 1e-5, 1e-6);
    return f;
  });
  assertWithin(factors, 0.6, 1.4, 'brightness factor');
  assert.ok(Math.max(...factors) - Math.min(...factors) > 0.4, 'factors differ between samples');
  x.dispose();
});

test('colorJitter: contrast keeps the mean grey level, saturation keeps each pixel grey level', () => {
  const x = tf.tidy(() => tf.add(tf.mul(randomImages([16, 4, 4, 3]), 0.2), 0.4)); // [0.4, 0.6]: no clamping
  const xv = x.dataSync();
  const greys = (v: ArrayLike<number>): number[] =>
    Array.from({ length: v.length / 3 }, (_, k) => grey(v[3 * k]!, v[3 * k + 1]!, v[3 * k + 2]!));
  const yc = run(colorJitter({ probability: 1, brightness: 0, contrast: 0.4, saturation: 0, hue: 0 }), x, new Rng(3)).values;
  for (let b = 0; b < 16; b++) {
    const mean = (v: ArrayLike<number>): number => greys(Array.from(v).slice(b * 48, (b + 1) * 48)).reduce((a, c) => a + c, 0) / 16;
    assertClose(mean(yc), mean(xv), LUMA_SUM_TOL, 1e-6, 'mean grey under contrast');
  }
  const ys = run(colorJitter({ probability: 1, brightness: 0, contrast: 0, saturation: 0.4, hue: 0 }), x, new Rng(3)).values;
  assertClose(greys(ys), greys(xv), LUMA_SUM_TOL, 1e-6, 'pixel grey under saturation');
  assert.ok(
    ys.some((v, i) => Math.abs(v - xv[i]!) > 1e-3),
    'saturation changed the colours',
  );
  x.dispose();
});

test('colorJitter: probability 0 is the identity; grey pixels keep their value under saturation and hue', () => {
  const x = randomImages([4, 3, 3, 3]);
  assert.deepEqual(run(colorJitter({ probability: 0 }), x, new Rng(1)).values, x.dataSync());
  const g = tf.tidy(() => tf.tile(randomImages([4, 3, 3, 1]), [1, 1, 1, 3]));
  const y = run(colorJitter({ probability: 1, brightness: 0, contrast: 0, saturation: 0.9, hue: 0.5 }), g, new Rng(1));
  assertClose(y.values, g.dataSync(), LUMA_SUM_TOL, 1e-6, 'grey pixels');
  tf.dispose([x, g]);
});

test('colorJitter: one-channel images get brightness and contrast only, without error', () => {
  const x = randomImages([8, 5, 5, 1]);
  const y = run(colorJitter({ probability: 1 }), x, new Rng(4));
  assert.deepEqual(y.shape, [8, 5, 5, 1]);
  assertWithin(y.values, 0, 1);
  assert.ok(y.values.some((v, i) => v !== x.dataSync()[i]));
  const two = tf.zeros([1, 2, 2, 2]);
  assert.throws(() => colorJitter()(two, new Rng(1)), ShapeError);
  tf.dispose([x, two]);
});

test('colorJitter: deterministic under a seed', () => {
  const x = randomImages([16, 4, 4, 3]);
  assertDeterministic(colorJitter(), x);
  x.dispose();
});

test('colorJitter: bad options are typed errors', () => {
  assert.throws(() => colorJitter({ hue: 0.6 }), /colorJitter: `hue` must be in \[0, 0.5\], got 0.6/);
  assert.throws(() => colorJitter({ brightness: -1 }), ConfigError);
  assert.throws(() => colorJitter({ probability: 2 }), ConfigError);
  assert.throws(() => colorJitter({ strength: 1 } as never), /unknown field 'strength'/);
});
