/**
 * What an augmentation is, and the checks and helpers every augmentation shares.
 *
 * An augmentation is a function of a batch and a random source. Images are `[B, H, W, C]`
 * float32 in [0, 1]; sequences are `[B, T, C]`. It returns a new tensor (the caller owns it),
 * never disposes its input and leaks nothing. Its random parameters are drawn per sample, in JS,
 * from the seeded {@link Rng} (so a run is reproducible and identical on every backend), then
 * applied to the whole batch with a few batched tensor ops.
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertFinite, assertFloat, assertInRange, assertRank, describe, formatShape } from '../validate.js';

/** `(x, rng) => new tensor`: one random transformation of every sample of a batch. */
export type Augmentation = (x: tf.Tensor, rng: Rng) => tf.Tensor;

/** `x` must be a float32 image batch [B, H, W, C] with no empty axis. Returns [B, H, W, C]. */
export function assertImageBatch(x: tf.Tensor, fn: string, arg = 'x'): [number, number, number, number] {
  assertRank(x, 4, fn, arg);
  assertFloat(x, fn, arg);
  assertNotEmpty(x, fn, arg);
  return x.shape as [number, number, number, number];
}

/** `x` must be a float32 sequence batch [B, T, C] with no empty axis. Returns [B, T, C]. */
export function assertSequenceBatch(x: tf.Tensor, fn: string, arg = 'x'): [number, number, number] {
  assertRank(x, 3, fn, arg);
  assertFloat(x, fn, arg);
  assertNotEmpty(x, fn, arg);
  return x.shape as [number, number, number];
}

function assertNotEmpty(x: tf.Tensor, fn: string, arg: string): void {
  if (x.shape.some((d) => d === 0)) {
    throw new ShapeError(fn, arg, `must not be empty (every axis >= 1), got shape ${formatShape(x.shape)}`);
  }
}

/** `options` must be undefined or a plain object whose keys are all in `known` (catches typos). */
export function assertOptionKeys(options: unknown, known: readonly string[], fn: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigError(fn, 'options', `has an unknown field '${key}' (known: ${known.join(', ')})`);
    }
  }
}

/** `p` must be a probability in [0, 1]. */
export function assertProbability(p: unknown, fn: string, arg: string): asserts p is number {
  assertInRange(p, 0, 1, fn, arg);
}

/** `r` must be a pair [lo, hi] of finite numbers with min <= lo <= hi <= max (`min` Number.MIN_VALUE: lo > 0). */
export function assertInterval(
  r: unknown,
  fn: string,
  arg: string,
  min = -Infinity,
  max = Infinity,
): asserts r is readonly [number, number] {
  if (!Array.isArray(r) || r.length !== 2) {
    throw new ConfigError(fn, arg, `must be a pair [lo, hi], got ${describe(r)}`);
  }
  const [lo, hi] = r as unknown[];
  assertFinite(lo, fn, `${arg}[0]`);
  assertFinite(hi, fn, `${arg}[1]`);
  if (lo > hi) throw new ConfigError(fn, arg, `must have lo <= hi, got [${lo}, ${hi}]`);
  if (lo < min || hi > max) {
    const from = min === Number.MIN_VALUE ? '(0' : `[${min}`; // MIN_VALUE stands for "> 0"
    throw new ConfigError(fn, arg, `must lie in ${from}, ${max}], got [${lo}, ${hi}]`);
  }
}

/** `size` as [height, width]: a number n means [n, n]. Both must be integers >= 1. */
export function toSize(size: unknown, fn: string, arg = 'size'): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ConfigError(fn, arg, `must be an integer >= 1 or a pair [height, width] of them, got ${describe(size)}`);
  }
  return [pair[0] as number, pair[1] as number];
}

/**
 * A per-sample value as a tensor that broadcasts over one sample: `[B, 1, ..., 1]` with `rank`
 * axes in all. Call inside `tf.tidy`.
 */
export function perSample(values: ArrayLike<number>, rank: number): tf.Tensor {
  const shape = [values.length, ...new Array<number>(rank - 1).fill(1)];
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}

/** Luminance weights of ITU-R BT.601, as torchvision's `rgb_to_grayscale` uses them. */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.2989, 0.587, 0.114];

/**
 * Per-sample choice between two tensors of the same shape: `m` (1 or 0 per sample, broadcast
 * like `perSample`) picks `yes` where 1 and `no` where 0, exactly (yes * 1 + no * 0 rounds
 * nothing). Call inside `tf.tidy`.
 */
export function choose(m: tf.Tensor, yes: tf.Tensor, no: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(yes, m), tf.mul(no, tf.sub(1, m)));
}

/**
 * Rows of `x` (axis 0) in the order `rows`, as slices of consecutive runs joined by one concat:
 * on the CPU-class backends this is much faster than `tf.gather` (slices along axis 0 are views).
 * Call inside `tf.tidy`.
 */
export function takeRows(x: tf.Tensor, rows: readonly number[]): tf.Tensor {
  const parts: tf.Tensor[] = [];
  const begin = new Array<number>(x.rank).fill(0);
  const size = new Array<number>(x.rank).fill(-1);
  for (let i = 0; i < rows.length;) {
    let j = i + 1;
    while (j < rows.length && rows[j] === rows[j - 1]! + 1) j++;
    begin[0] = rows[i]!;
    size[0] = j - i;
    parts.push(tf.slice(x, begin, size));
    i = j;
  }
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
}
