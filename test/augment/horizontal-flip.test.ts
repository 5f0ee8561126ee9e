import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { horizontalFlip } from '../../src/augment/horizontal-flip.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, randomImages, run, sample } from './helpers.js';

before(() => useBackend());

/** Which samples of `y` are the mirror of `x` (each is exactly one of the two). */
function flipped(x: Float32Array, y: Float32Array, [b, h, w, c]: number[]): boolean[] {
  const per = h! * w! * c!;
  return Array.from({ length: b! }, (_, s) => {
    const xs = sample(x, s, per);
    const ys = sample(y, s, per);
    let same = true;
    let mirror = true;
    for (let i = 0; i < h!; i++) {
      for (let j = 0; j < w!; j++) {
        for (let k = 0; k < c!; k++) {
          const v = ys[(i * w! + j) * c! + k]!;
          same &&= v === xs[(i * w! + j) * c! + k];
          mirror &&= v === xs[(i * w! + (w! - 1 - j)) * c! + k];
        }
      }
    }
    assert.ok(same !== mirror, `sample ${s} must be either unchanged or exactly mirrored`);
    return mirror;
  });
}

test('horizontalFlip: each sample is kept or mirrored exactly; shape and dtype kept', () => {
  const x = randomImages([16, 5, 6, 3]);
  const y = run(horizontalFlip(), x, new Rng(2));
  assert.deepEqual(y.shape, [16, 5, 6, 3]);
  assert.equal(y.dtype, 'float32');
  const f = flipped(x.dataSync() as Float32Array, y.values, x.shape);
  assert.ok(f.some((v) => v) && f.some((v) => !v), 'a batch of 16 at p 0.5 has both');
  x.dispose();
});

test('horizontalFlip: the flip rate matches the probability', () => {
  const x = randomImages([4000, 1, 2, 1]); // two distinct pixels per sample
  for (const p of [0.5, 0.2]) {
    const f = flipped(x.dataSync() as Float32Array, run(horizontalFlip({ probability: p }), x, new Rng(3)).values, x.shape);
    const rate = f.filter((v) => v).length / f.length;
    const tol = 4 * Math.sqrt((p * (1 - p)) / f.length); // 4 standard errors
    assert.ok(Math.abs(rate - p) < tol, `flip rate ${rate} vs probability ${p}`);
  }
  x.dispose();
});

test('horizontalFlip: p 0 is the identity, p 1 mirrors every sample', () => {
  const x = randomImages([3, 4, 4, 1]);
  assert.deepEqual(run(horizontalFlip({ probability: 0 }), x, new Rng(1)).values, x.dataSync());
  const all = flipped(x.dataSync() as Float32Array, run(horizontalFlip({ probability: 1 }), x, new Rng(1)).values, x.shape);
  assert.deepEqual(all, [true, true, true]);
  x.dispose();
});

test('horizontalFlip: deterministic under a seed', () => {
  const x = randomImages([32, 3, 3, 1]);
  assertDeterministic(horizontalFlip(), x);
  x.dispose();
});

test('horizontalFlip: bad input and options are typed errors', () => {
  const x = tf.zeros([3, 3]);
  assert.throws(() => horizontalFlip()(x, new Rng(1)), ShapeError);
  assert.throws(() => horizontalFlip({ probability: 1.5 }), /horizontalFlip: `probability` must be in \[0, 1\], got 1.5/);
  assert.throws(() => horizontalFlip({ probability: NaN }), ConfigError);
  x.dispose();
});
