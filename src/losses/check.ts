/** Input checks shared by the losses (internal). Each throws a typed error naming `fn` and `arg`. */
import type * as tf from '../tf.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertFloat, assertRank, describe, formatShape } from '../validate.js';

/** `t` must be a float32 tensor of rank `rank` with no zero-sized axis. */
export function assertFloatTensor(t: tf.Tensor, rank: number, fn: string, arg: string): void {
  assertRank(t, rank, fn, arg);
  assertFloat(t, fn, arg);
  if (t.shape.some((d) => d === 0)) {
    throw new ShapeError(fn, arg, `must not be empty (every axis >= 1), got shape ${formatShape(t.shape)}`);
  }
}

/** `value` must be a boolean. */
export function assertBoolean(value: unknown, fn: string, arg: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new ConfigError(fn, arg, `must be a boolean, got ${describe(value)}`);
}

/** `options` must be undefined or a plain object. */
export function assertOptions(options: unknown, fn: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  }
}
