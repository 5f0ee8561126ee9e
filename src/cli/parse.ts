/**
 * Option parsers for commander: a bad value becomes commander's one-line usage error
 * (`error: option '--epochs <n>' argument 'x' is invalid. must be an integer >= 1`), exit 2.
 */
import { InvalidArgumentError } from 'commander';

/** An integer >= `min`. */
export const int =
  (min = 1) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return n;
  };

/** A finite number > 0 (or >= 0 with `allowZero`). */
export const positive =
  (allowZero = false) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
      throw new InvalidArgumentError(`must be a number ${allowZero ? '>= 0' : '> 0'}`);
    return n;
  };

/** One of `choices`. */
export const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (v: string): T => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return v as T;
  };
