/**
 * Input checks shared by every public function. Call them before `tf.tidy` so that a thrown
 * error leaks nothing. Each names the function and the argument.
 */
import type { Tensor } from './tf.js';
import { ConfigError, ShapeError } from './errors.js';

/** Formats a shape as `[32, 128]`; `-1` (any size) prints as `*`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? '*' : String(d))).join(', ')}]`;
}

/** `t` must be a tensor of rank `rank`. */
export function assertRank(t: Tensor, rank: number | readonly number[], fn: string, arg: string): void {
  if (t === null || typeof t !== 'object' || !Array.isArray((t as Tensor).shape)) {
    throw new ShapeError(fn, arg, `must be a tensor, got ${describe(t)}`);
  }
  const ranks = typeof rank === 'number' ? [rank] : rank;
  if (!ranks.includes(t.rank)) {
    const want = ranks.map((r) => `rank ${r}`).join(' or ');
    throw new ShapeError(fn, arg, `must have ${want}, got rank ${t.rank} with shape ${formatShape(t.shape)}`);
  }
}

/** `t` must have exactly `shape`; a `-1` entry accepts any size. `note` explains where it comes from. */
export function assertShape(t: Tensor, shape: readonly number[], fn: string, arg: string, note?: string): void {
  assertRank(t, shape.length, fn, arg);
  const ok = shape.every((d, i) => d < 0 || d === t.shape[i]);
  if (!ok) {
    const why = note === undefined ? '' : ` (${note})`;
    throw new ShapeError(fn, arg, `must have shape ${formatShape(shape)}${why}, got ${formatShape(t.shape)}`);
  }
}

/** `t` must have the same shape as `ref` (named `refArg`). */
export function assertSameShape(t: Tensor, ref: Tensor, fn: string, arg: string, refArg: string): void {
  assertShape(t, ref.shape, fn, arg, `same as ${refArg}`);
}

/** `t` must be a float tensor (gradients and normalisation need one). */
export function assertFloat(t: Tensor, fn: string, arg: string): void {
  if (t.dtype !== 'float32') throw new ShapeError(fn, arg, `must have dtype float32, got ${t.dtype}`);
}

/** `value` must be a finite number. */
export function assertFinite(value: unknown, fn: string, arg: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(fn, arg, `must be a finite number, got ${describe(value)}`);
  }
}

/** `value` must be a finite number > 0. */
export function assertPositive(value: unknown, fn: string, arg: string): asserts value is number {
  assertFinite(value, fn, arg);
  if (value <= 0) throw new ConfigError(fn, arg, `must be > 0, got ${value}`);
}

/** `value` must be a finite number >= 0. */
export function assertNonNegative(value: unknown, fn: string, arg: string): asserts value is number {
  assertFinite(value, fn, arg);
  if (value < 0) throw new ConfigError(fn, arg, `must be >= 0, got ${value}`);
}

/** `value` must be an integer >= `min` (default 1). */
export function assertInteger(value: unknown, fn: string, arg: string, min = 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(fn, arg, `must be an integer >= ${min}, got ${describe(value)}`);
  }
}

/** `value` must be a finite number in [lo, hi]. */
export function assertInRange(value: unknown, lo: number, hi: number, fn: string, arg: string): asserts value is number {
  assertFinite(value, fn, arg);
  if (value < lo || value > hi) throw new ConfigError(fn, arg, `must be in [${lo}, ${hi}], got ${value}`);
}

/** `value` must be one of `choices`. */
export function assertOneOf<T extends string>(value: unknown, choices: readonly T[], fn: string, arg: string): asserts value is T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(fn, arg, `must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
}

/** A short, safe description of any value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object' && Array.isArray((value as Tensor).shape)) {
    const t = value as Tensor;
    return `a ${t.dtype} tensor of shape ${formatShape(t.shape)}`;
  }
  return `a ${typeof value}`;
}
