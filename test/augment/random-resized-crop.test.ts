import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { randomResizedCrop, sampleCropBoxes } from '../../src/augment/random-resized-crop.js';
import { assertClose, useBackend } from '../support/tensors.js';
import { assertDeterministic, assertWithin, randomImages, run } from './helpers.js';

before(() => useBackend());

test('randomResizedCrop: keeps batch, channels, dtype and the [0, 1] range; resizes to size', () => {
  const x = randomImages([4, 20, 24, 3]);
  const y = run(randomResizedCrop({ size: [16, 12] }), x, new Rng(1));
  assert.deepEqual(y.shape, [4, 16, 12, 3]);
  assert.equal(y.dtype, 'float32');
  assertWithin(y.values, 0, 1);
  x.dispose();
});

test('randomResizedCrop: a full crop at the same size is the identity (to rounding)', () => {
  const x = randomImages([3, 9, 9, 2]);
  const y = run(randomResizedCrop({ size: 9, scale: [1, 1], ratio: [1, 1] }), x, new Rng(3));
  // The box edge on the last row and column is pulled in by 1e-3 pixel (see cropBoxes).
  assertClose(y.values, x.dataSync(), 0, 2e-3, 'identity crop'); // up to 1e-3 of a step per axis
  x.dispose();
});

test('randomResizedCrop: crop areas spread uniformly over the scale range', () => {
  const rng = new Rng(11);
  const size = 64;
  const boxes = sampleCropBoxes(rng, 4000, size, size, [0.2, 0.8], [1, 1]);
  const areas = boxes.map((b) => (b.height * b.width) / (size * size));
  // Rounding the side to whole pixels moves the area by at most about 2 sqrt(a) / size.
  assertWithin(areas, 0.2 - 0.03, 0.8 + 0.03, 'area');
  const mean = areas.reduce((a, b) => a + b, 0) / areas.length;
  assert.ok(Math.abs(mean - 0.5) < 0.015, `mean area ${mean} should be near 0.5`);
  const below = areas.filter((a) => a < 0.35).length / areas.length; // uniform: (0.35 - 0.2) / 0.6 = 0.25
  assert.ok(Math.abs(below - 0.25) < 0.03, `share of areas below 0.35 is ${below}, expected about 0.25`);
  for (const b of boxes) {
    assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.height <= size && b.left + b.width <= size, 'the box must lie inside the image');
  }
});

test('randomResizedCrop: aspect ratios stay in the ratio range, both sides of 1', () => {
  const boxes = sampleCropBoxes(new Rng(5), 3000, 100, 100, [0.08, 1], [3 / 4, 4 / 3]);
  const ratios = boxes.map((b) => b.width / b.height);
  assertWithin(ratios, 0.75 * 0.9, (4 / 3) * 1.1, 'ratio'); // rounding tolerance on small boxes
  assert.ok(ratios.filter((r) => r > 1.05).length > 500 && ratios.filter((r) => r < 0.95).length > 500);
  const areas = boxes.map((b) => (b.height * b.width) / 1e4);
  assertWithin(areas, 0.07, 1, 'area');
  assert.ok(Math.min(...areas) < 0.15 && Math.max(...areas) > 0.9, 'the whole scale range is used');
});

test('randomResizedCrop: the output shows the sampled box (corner pixels map to corner pixels)', () => {
  // Pixel value = its row index / 100 in channel 0 and column index / 100 in channel 1.
  const [h, w, size] = [30, 40, 8];
  const data = new Float32Array(2 * h * w * 2);
  for (let b = 0; b < 2; b++)
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data.set([i / 100, j / 100], ((b * h + i) * w + j) * 2);
  const x = tf.tensor4d(data, [2, h, w, 2]);
  const boxes = sampleCropBoxes(new Rng(9), 2, h, w, [0.08, 1], [3 / 4, 4 / 3]);
  const y = run(randomResizedCrop({ size }), x, new Rng(9)).values;
  boxes.forEach((box, b) => {
    const at = (i: number, j: number, c: number): number => y[((b * size + i) * size + j) * 2 + c]!;
    assert.ok(Math.abs(at(0, 0, 0) - box.top / 100) < 2e-5, 'top row');
    assert.ok(
      Math.abs(at(size - 1, 0, 0) - (box.top + box.height - 1) / 100) < 2e-5,
      `bottom row ${at(size - 1, 0, 0)} ${JSON.stringify(box)}`,
    );
    assert.ok(Math.abs(at(0, 0, 1) - box.left / 100) < 2e-5, 'left column');
    assert.ok(Math.abs(at(0, size - 1, 1) - (box.left + box.width - 1) / 100) < 2e-5, 'right column');
  });
  x.dispose();
});

test('randomResizedCrop: deterministic under a seed, different across seeds', () => {
  const x = randomImages([4, 16, 16, 3]);
  assertDeterministic(randomResizedCrop({ size: 12 }), x);
  x.dispose();
});

test('randomResizedCrop: bad input and options are typed errors', () => {
  const x = tf.zeros([4, 4, 3]);
  const ints = tf.zeros([1, 4, 4, 1], 'int32');
  assert.throws(() => randomResizedCrop()(x, new Rng(1)), /randomResizedCrop: `x` must have rank 4, got rank 3/);
  assert.throws(() => randomResizedCrop()(ints, new Rng(1)), ShapeError);
  assert.throws(() => randomResizedCrop({ scale: [0.5, 0.2] }), /scale.*lo <= hi/);
  assert.throws(() => randomResizedCrop({ scale: [0, 1.5] }), ConfigError);
  assert.throws(() => randomResizedCrop({ ratio: [0, 1] }), ConfigError);
  assert.throws(() => randomResizedCrop({ size: 0 }), ConfigError);
  assert.throws(() => randomResizedCrop({ sizee: 3 } as never), /unknown field 'sizee'/);
  tf.dispose([x, ints]);
});
