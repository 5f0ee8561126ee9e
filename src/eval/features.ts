/**
 * The two forms evaluation accepts for a feature matrix `[N, D]`, and the checks every
 * evaluation function runs on features and labels before touching a tensor.
 *
 * Primary form: a `tf.Tensor2D` (what an encoder's `embed` returns). Also accepted: a row-major
 * `Float32Array` with its row width, `{ data, dim }` (what a file or a worker hands over).
 */
import * as tf from '../tf.js';
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { assertInteger, describe } from '../validate.js';

/** `options` must be a plain object (a missing one is defaulted by the caller). */
export function assertOptionsObject(options: unknown, fn: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
}

/** Row-major features: `data.length === N * dim`. */
export interface FeatureArray {
  /** Values, row after row. */
  data: Float32Array;
  /** Row width D. */
  dim: number;
}

/** A feature matrix `[N, D]`: a float32 `tf.Tensor2D`, or a `FeatureArray`. */
export type Features = tf.Tensor2D | FeatureArray;

/** Features with their labels: one labelled split. */
export interface LabelledFeatures {
  /** `[N, D]`. */
  features: Features;
  /** Class id of each row, 0..C-1, length N. */
  labels: Int32Array;
}

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** Checks `x` and returns its `[N, D]`. Throws ShapeError naming `fn` and `arg`. */
export function featureShape(x: Features, fn: string, arg: string): [number, number] {
  if (isTensor(x)) {
    if (x.isDisposed) throw new ShapeError(fn, arg, 'must be a live tensor, got a disposed one');
    if (x.rank !== 2) throw new ShapeError(fn, arg, `must have rank 2 [N, D], got ${describe(x)}`);
    if (x.dtype !== 'float32') throw new ShapeError(fn, arg, `must have dtype float32, got ${x.dtype}`);
    return [x.shape[0], x.shape[1]];
  }
  if (x === null || typeof x !== 'object' || !(x.data instanceof Float32Array)) {
    throw new ShapeError(fn, arg, `must be a tf.Tensor2D or { data: Float32Array, dim }, got ${describe(x)}`);
  }
  assertInteger(x.dim, fn, `${arg}.dim`);
  if (x.data.length % x.dim !== 0) {
    throw new ShapeError(fn, arg, `data length must be a multiple of dim ${x.dim}, got ${x.data.length}`);
  }
  return [x.data.length / x.dim, x.dim];
}

/** Checks `x` has at least `minRows` rows and returns `[N, D]`. */
export function assertFeatures(x: Features, fn: string, arg: string, minRows = 1): [number, number] {
  const [n, d] = featureShape(x, fn, arg);
  if (n < minRows) throw new ShapeError(fn, arg, `must have at least ${minRows} row(s), got ${n}`);
  if (d < 1) throw new ShapeError(fn, arg, `must have at least 1 column, got ${d}`);
  return [n, d];
}

/** `b`'s row width must equal `a`'s. */
export function assertSameDim(dimA: number, dimB: number, fn: string, argB: string, argA: string): void {
  if (dimA !== dimB) throw new ShapeError(fn, argB, `must have ${dimA} columns (same as ${argA}), got ${dimB}`);
}

/**
 * Checks that `labels` is an Int32Array of length `n` with every value in [0, numClasses).
 * Without `numClasses` only `>= 0` is checked. Returns the largest label + 1.
 */
export function assertLabels(labels: Int32Array, n: number, fn: string, arg: string, numClasses?: number): number {
  if (!(labels instanceof Int32Array)) throw new ShapeError(fn, arg, `must be an Int32Array, got ${describe(labels)}`);
  if (labels.length !== n) throw new ShapeError(fn, arg, `must have length ${n} (one per feature row), got ${labels.length}`);
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || (numClasses !== undefined && v >= numClasses)) {
      const range = numClasses === undefined ? '>= 0' : `in [0, ${numClasses - 1}]`;
      throw new DataError(fn, arg, `must hold class ids ${range}, got ${v} at index ${i}`);
    }
    if (v > max) max = v;
  }
  return max + 1;
}

/** The tensor form of `x` and whether the caller must dispose it (true when it was made here). */
export function toTensor(x: Features): { tensor: tf.Tensor2D; owned: boolean } {
  if (isTensor(x)) return { tensor: x, owned: false };
  return { tensor: tf.tensor2d(x.data, [x.data.length / x.dim, x.dim]), owned: true };
}

/** The values of `x`, row-major (a copy for a tensor; the array itself otherwise). */
export async function featureValues(x: Features): Promise<Float32Array> {
  if (isTensor(x)) return (await x.data()) as Float32Array;
  return x.data;
}

/** Throws DataError when any value is NaN or infinite (a diverged encoder), naming the row. */
export function assertFiniteValues(values: Float32Array, dim: number, fn: string, arg: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new DataError(fn, arg, `must hold finite values, got ${values[i]} at row ${Math.floor(i / dim)}, column ${i % dim}`);
    }
  }
}

/** Rows `rows` of `x` as a new FeatureArray. */
export function selectRows(values: Float32Array, dim: number, rows: ArrayLike<number>): FeatureArray {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r]! * dim;
    out.set(values.subarray(src, src + dim), r * dim);
  }
  return { data: out, dim };
}

/** `labels[rows]`. */
export function selectLabels(labels: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = labels[rows[r]!]!;
  return out;
}
