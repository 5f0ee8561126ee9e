import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { ShapeError } from '../../src/errors.js';
import { labL } from '../../src/cmc-views/lab-l.js';
import { labAb } from '../../src/cmc-views/lab-ab.js';
import { applyView } from '../../src/cmc-views/view.js';
import { labDenormalize, labNormalize, labToRgb, rgbToLab } from '../../src/augment/lab.js';
import { normalizedLab, normalizedLabValues } from '../../src/cmc-views/lab-values.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';

before(() => useBackend());

const COLOURS = [
  [0, 0, 0],
  [1, 1, 1],
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];
/** Lab of the colours above (CIE, D65; scikit-image rgb2lab). */
const LAB = [
  [0, 0, 0],
  [100, 0, 0],
  [53.241, 80.092, 67.203],
  [87.735, -86.183, 83.179],
  [32.297, 79.188, -107.86],
];
const pixels = () => tf.tensor4d(COLOURS.flat(), [COLOURS.length, 1, 1, 3]);

test('labL: known colours, normalised as the CMC reference (L - 50) / 50; shape [B, H, W, 1]', () => {
  const x = pixels();
  const out = assertNoLeak(() => {
    const t = labL().apply(x);
    assert.deepEqual(t.shape, [5, 1, 1, 1]);
    const v = Array.from(t.dataSync());
    t.dispose();
    return v;
  }, 'labL');
  assertClose(
    out,
    LAB.map(([l]) => (l! - 50) / 50),
    1e-4,
    1e-4,
    'L',
  );
  assert.equal(out[0], -1);
  x.dispose();
});

test('labAb: known colours, a and b mapped from their sRGB ranges to [-1, 1] (reference mean/std); shape [B, H, W, 2]', () => {
  const x = pixels();
  const t = labAb().apply(x);
  assert.deepEqual(t.shape, [5, 1, 1, 2]);
  const mean = [(-86.183 + 98.233) / 2, (-107.857 + 94.478) / 2];
  const std = [(86.183 + 98.233) / 2, (107.857 + 94.478) / 2];
  assertClose(
    t.dataSync(),
    LAB.flatMap(([, a, b]) => [(a! - mean[0]!) / std[0]!, (b! - mean[1]!) / std[1]!]),
    1e-3,
    2e-4,
    'ab',
  );
  // the extremes of the range: green's a and blue's b are the reference's minimum, -1
  const v = t.dataSync();
  assertClose([v[6]!, v[9]!], [-1, -1], 0, 2e-4, 'range ends');
  tf.dispose([x, t]);
});

test('labL + labAb recombine into the image (nothing lost in the split)', () => {
  const r = rng(5);
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * 4 * 4 * 3 }, () => r()),
    [2, 4, 4, 3],
  );
  const back = tf.tidy(() => labToRgb(labDenormalize(tf.concat([labL().apply(x), labAb().apply(x)], 3) as tf.Tensor4D)));
  assertClose(back.dataSync(), x.dataSync(), 0, 1e-4, 'rgb');
  tf.dispose([x, back]);
});

test('Lab views reject grey images with a ShapeError that names the view', () => {
  const grey = tf.zeros([2, 4, 4, 1]);
  for (const v of [labL(), labAb()]) {
    assert.throws(
      () => v.apply(grey),
      (e: unknown) =>
        e instanceof ShapeError && e.message.includes(`view '${v.name}'`) && /3 channels/.test(e.message) && /grey/.test(e.message),
    );
    assert.throws(() => applyView(v, grey), ShapeError);
  }
  assert.throws(() => labL().apply(tf.zeros([4, 4, 3])), ShapeError);
  grey.dispose();
});

test('normalizedLab: the pixel loop (CPU-class backends) agrees with labNormalize(rgbToLab(x)) of src/augment/lab.ts; out-of-range inputs clamp alike', () => {
  const r = rng(11);
  const x = tf.tensor4d(
    Float32Array.from({ length: 3 * 5 * 5 * 3 }, () => r() * 1.2 - 0.1),
    [3, 5, 5, 3],
  );
  const want = tf.tidy(() => labNormalize(rgbToLab(x)));
  assertClose(normalizedLabValues(x.dataSync()), want.dataSync(), 1e-4, 2e-5, 'loop');
  const a = normalizedLab(x);
  const b = normalizedLab(x); // the cached values of the same input, as a new tensor
  assert.notEqual(a, b);
  assertClose(b.dataSync(), a.dataSync(), 0, 0, 'cached');
  assertClose(a.dataSync(), want.dataSync(), 1e-4, 2e-5, 'tensor');
  tf.dispose([x, want, a, b]);
});
