/** Shared checks for the augmentation tests. */
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import type { Augmentation } from '../../src/augment/augmentation.js';
import { rng as mulberry } from '../support/tensors.js';

/** Uniform [0, 1) image batch [B, H, W, C] from a seeded generator. */
export function randomImages(shape: [number, number, number, number], seed = 1): tf.Tensor4D {
  const r = mulberry(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => r()),
    shape,
  );
}

/** Standard-normal-ish sequence batch [B, T, C] (sums of uniforms) from a seeded generator. */
export function randomSequences(shape: [number, number, number], seed = 1): tf.Tensor3D {
  const r = mulberry(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor3d(
    Float32Array.from({ length: n }, () => r() + r() + r() - 1.5),
    shape,
  );
}

/** Runs `aug` and returns its output's values and shape, asserting that nothing leaked and the input survived. */
export function run(aug: Augmentation, x: tf.Tensor, rng: Rng): { values: Float32Array; shape: number[]; dtype: string } {
  const before = tf.memory().numTensors;
  const y = aug(x, rng);
  assert.equal(tf.memory().numTensors, before + 1, 'the augmentation must return one new tensor and leak nothing');
  assert.notEqual(y, x, 'the output must be a new tensor');
  assert.equal(x.isDisposed, false, 'the input must not be disposed');
  const values = y.dataSync() as Float32Array;
  const out = { values: Float32Array.from(values), shape: y.shape, dtype: y.dtype };
  y.dispose();
  return out;
}

/** Same Rng state -> identical output; a different seed -> a different output. The Rng advances. */
export function assertDeterministic(aug: Augmentation, x: tf.Tensor): void {
  const a = run(aug, x, new Rng(7)).values;
  const b = run(aug, x, Rng.fromState(new Rng(7).state())).values;
  assert.deepEqual(b, a, 'the same Rng state must give the same output');
  const c = run(aug, x, new Rng(8)).values;
  assert.ok(
    c.some((v, i) => v !== a[i]),
    'a different seed must give a different output',
  );
  const r = new Rng(7);
  run(aug, x, r);
  assert.notDeepEqual(r.state(), new Rng(7).state(), 'the augmentation must advance the Rng');
}

/** Every value in [lo, hi]. */
export function assertWithin(values: ArrayLike<number>, lo: number, hi: number, what = 'value'): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) assert.fail(`${what}[${i}] = ${v} is outside [${lo}, ${hi}]`);
  }
}

/** The values of sample `b` of a flat [B, ...] array whose samples have `per` values each. */
export function sample(values: Float32Array, b: number, per: number): Float32Array {
  return values.subarray(b * per, (b + 1) * per);
}
