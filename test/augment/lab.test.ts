import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ShapeError } from '../../src/errors.js';
import { CMC_LAB_MEAN, CMC_LAB_STD, labDenormalize, labNormalize, labToRgb, rgbToLab, toLab } from '../../src/augment/lab.js';
import { assertClose, assertNoLeak, useBackend } from '../support/tensors.js';
import { randomImages, run } from './helpers.js';

before(() => useBackend());

const lab = (rgb: number[][]): Float32Array =>
  tf.tidy(() => rgbToLab(tf.tensor4d(rgb.flat(), [rgb.length, 1, 1, 3])).dataSync() as Float32Array);

test('rgbToLab: known colours (CIE formulas, D65; values as scikit-image rgb2lab)', () => {
  const got = lab([
    [0, 0, 0],
    [1, 1, 1],
    [0.5, 0.5, 0.5],
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  const expected = [
    [0, 0, 0],
    [100, 0, 0],
    [53.389, 0, 0], // L of sRGB 0.5: 116 (0.21404)^(1/3) - 16
    [53.241, 80.092, 67.203],
    [87.735, -86.183, 83.179],
    [32.297, 79.188, -107.86],
  ];
  // a and b of white and grey are 0 up to the rounding of the published matrix (< 0.01).
  assertClose(got, expected.flat(), 2e-4, 0.012, 'Lab');
});

test('rgbToLab / labToRgb: round trip; L in [0, 100] on random colours', () => {
  const x = randomImages([4, 8, 8, 3], 6);
  const l = tf.tidy(() => rgbToLab(x).dataSync());
  for (let i = 0; i < l.length; i += 3) assert.ok(l[i]! >= -1e-4 && l[i]! <= 100 + 1e-4);
  const back = tf.tidy(() => labToRgb(rgbToLab(x)).dataSync());
  assertClose(back, x.dataSync(), 0, 2e-5, 'round trip');
  assertNoLeak(() => rgbToLab(x), 'rgbToLab');
  assertNoLeak(() => labToRgb(x), 'labToRgb');
  x.dispose();
});

test('labNormalize: the CMC reference constants; L 0 -> -1, 100 -> 1; sRGB primaries land in [-1, 1]', () => {
  assert.deepEqual([...CMC_LAB_MEAN], [50, (-86.183 + 98.233) / 2, (-107.857 + 94.478) / 2]);
  assert.deepEqual([...CMC_LAB_STD], [50, (86.183 + 98.233) / 2, (107.857 + 94.478) / 2]);
  const rgb = tf.tensor4d([0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1], [8, 1, 1, 3]);
  const n = tf.tidy(() => labNormalize(rgbToLab(rgb)).dataSync());
  assertClose(n[0]!, -1, 0, 1e-5);
  assertClose(n[3]!, 1, 0, 1e-5);
  for (const v of n) assert.ok(v >= -1.001 && v <= 1.001, `normalised value ${v}`);
  const back = tf.tidy(() => labDenormalize(labNormalize(rgbToLab(rgb))).dataSync());
  assertClose(
    back,
    tf.tidy(() => rgbToLab(rgb).dataSync()),
    1e-5,
    1e-4,
  );
  rgb.dispose();
});

test('toLab: an augmentation step (normalised by default)', () => {
  const x = randomImages([2, 4, 4, 3]);
  const y = run(toLab(), x, new Rng(1));
  const expected = tf.tidy(() => labNormalize(rgbToLab(x)).dataSync());
  assertClose(y.values, expected, 1e-6, 1e-6);
  const raw = run(toLab({ normalize: false }), x, new Rng(1));
  assertClose(
    raw.values,
    tf.tidy(() => rgbToLab(x).dataSync()),
    1e-6,
    1e-6,
  );
  x.dispose();
});

test('rgbToLab: needs [B, H, W, 3]', () => {
  const grey = tf.zeros([1, 2, 2, 1]);
  assert.throws(() => rgbToLab(grey as tf.Tensor4D), /rgbToLab: `x` must have 3 channels/);
  assert.throws(() => toLab()(grey, new Rng(1)), ShapeError);
  grey.dispose();
});
