/**
 * Building `LabelSet`s: class ids 0..C-1 from the label values a file stores (UCR `-1`/`1`,
 * FSDD speakers, CSV strings), keeping the original values as class names.
 */
import type { LabelSet } from './dataset.js';
import { DataError } from '../errors.js';

/** Sorted distinct values: numerically when every value is a number, else as strings. */
export function distinctLabelValues(values: Iterable<string | number>): string[] {
  const seen = new Set<string>();
  for (const v of values) seen.add(String(v));
  const all = [...seen];
  const numeric = all.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return numeric ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
}

/**
 * Maps label values to ids 0..C-1 in the order of `classNames` (default: the sorted distinct
 * values). A value missing from `classNames` is a DataError naming `fn` and `file`.
 */
export function labelSetFromValues(
  values: readonly (string | number)[],
  fn: string,
  file: string,
  classNames: readonly string[] = distinctLabelValues(values),
): LabelSet {
  const id = new Map<string, number>();
  classNames.forEach((name, i) => id.set(name, i));
  // Numeric names also match numerically ("1.0" and "1" are the same class).
  const numericId = new Map<number, number>();
  classNames.forEach((name, i) => {
    if (name.trim() !== '' && Number.isFinite(Number(name))) numericId.set(Number(name), i);
  });
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const c = id.get(String(v)) ?? numericId.get(Number(v));
    if (c === undefined) {
      throw new DataError(fn, file, `has label ${JSON.stringify(v)} at sample ${i}, outside the known classes [${classNames.join(', ')}]`);
    }
    out[i] = c;
  }
  return { values: out, classNames: [...classNames] };
}

/**
 * A LabelSet from integer class ids stored in a file; every id must be in [0, numClasses).
 * `where(i)` describes the position of sample i for the error (`record 17 (offset 52241)`).
 */
export function labelSetFromIds(
  ids: ArrayLike<number>,
  numClasses: number,
  classNames: readonly string[] | undefined,
  fn: string,
  file: string,
  where: (i: number) => string = (i) => `sample ${i}`,
): LabelSet {
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new DataError(fn, file, `has label ${v} at ${where(i)}, outside the class range 0..${numClasses - 1}`);
    }
    out[i] = v;
  }
  const names = classNames ?? Array.from({ length: numClasses }, (_, c) => String(c));
  if (names.length !== numClasses) {
    throw new DataError(fn, file, `has ${numClasses} classes but ${names.length} class names were given`);
  }
  return { values: out, classNames: [...names] };
}

/** Number of samples per class id. */
export function classCounts(labels: LabelSet): number[] {
  const counts = new Array<number>(labels.classNames.length).fill(0);
  for (const c of labels.values) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}
