/**
 * Label metrics on plain integer arrays: accuracy, confusion matrix, and the clustering scores
 * normalised mutual information (NMI) and adjusted Rand index (ARI).
 *
 * NMI uses the arithmetic-mean normalisation, NMI = I(a; b) / ((H(a) + H(b)) / 2), natural logs
 * (Vinh, Epps & Bailey 2010, JMLR 11; the default of scikit-learn's
 * `normalized_mutual_info_score`). ARI is Hubert & Arabie (1985), J. Classification 2:193-218.
 * Both are symmetric and ignore how the groups are numbered.
 */
import { DataError, ShapeError } from '../errors.js';
import { assertInteger, describe } from '../validate.js';

/** Integer ids, one per sample. */
export type LabelArray = Int32Array | readonly number[];

function checkPair(a: LabelArray, b: LabelArray, fn: string, argA: string, argB: string): void {
  for (const [x, arg] of [
    [a, argA],
    [b, argB],
  ] as const) {
    if (!(x instanceof Int32Array) && !Array.isArray(x))
      throw new ShapeError(fn, arg, `must be an Int32Array or number[], got ${describe(x)}`);
  }
  if (a.length !== b.length) throw new ShapeError(fn, argB, `must have length ${a.length} (same as ${argA}), got ${b.length}`);
  for (const [x, arg] of [
    [a, argA],
    [b, argB],
  ] as const) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isInteger(v) || v < 0) throw new DataError(fn, arg, `must hold integer ids >= 0, got ${v} at index ${i}`);
    }
  }
}

/** Fraction of positions where `predicted` equals `labels`, in [0, 1]; 0 for empty input. */
export function accuracy(predicted: LabelArray, labels: LabelArray): number {
  checkPair(predicted, labels, 'accuracy', 'predicted', 'labels');
  if (labels.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hit++;
  return hit / labels.length;
}

/**
 * Confusion matrix `m[trueClass][predictedClass]` = count, `numClasses` x `numClasses`.
 * @param numClasses default: the largest id in either array + 1.
 */
export function confusionMatrix(predicted: LabelArray, labels: LabelArray, numClasses?: number): number[][] {
  const fn = 'confusionMatrix';
  checkPair(predicted, labels, fn, 'predicted', 'labels');
  let c = 0;
  for (let i = 0; i < labels.length; i++) c = Math.max(c, labels[i]! + 1, predicted[i]! + 1);
  if (numClasses !== undefined) {
    assertInteger(numClasses, fn, 'numClasses');
    if (c > numClasses) throw new DataError(fn, undefined, `ids must be < numClasses ${numClasses}, got ${c - 1}`);
    c = numClasses;
  }
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]!]![predicted[i]!]!++;
  return m;
}

/** Contingency counts of two labelings, with row and column sums; ids are compacted first. */
function contingency(a: LabelArray, b: LabelArray): { table: Map<number, number>; rows: number[]; cols: number[] } {
  const ida = new Map<number, number>();
  const idb = new Map<number, number>();
  const rows: number[] = [];
  const cols: number[] = [];
  const table = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    let r = ida.get(a[i]!);
    if (r === undefined) ida.set(a[i]!, (r = rows.push(0) - 1));
    let c = idb.get(b[i]!);
    if (c === undefined) idb.set(b[i]!, (c = cols.push(0) - 1));
    rows[r]!++;
    cols[c]!++;
    const key = r * a.length + c;
    table.set(key, (table.get(key) ?? 0) + 1);
  }
  return { table, rows, cols };
}

function entropy(counts: number[], n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/**
 * Normalized mutual information of two labelings, in [0, 1] (arithmetic normalisation).
 * Two single-group labelings score 1; a labeling independent of the other scores 0.
 */
export function nmi(a: LabelArray, b: LabelArray): number {
  checkPair(a, b, 'nmi', 'a', 'b');
  const n = a.length;
  const { table, rows, cols } = contingency(a, b);
  if (rows.length === cols.length && rows.length <= 1) return 1; // both trivial: identical
  let mi = 0;
  for (const [key, nij] of table) {
    const r = Math.floor(key / n);
    const c = key - r * n;
    mi += (nij / n) * Math.log((n * nij) / (rows[r]! * cols[c]!));
  }
  if (mi <= 0) return 0;
  const norm = (entropy(rows, n) + entropy(cols, n)) / 2;
  return Math.min(1, mi / Math.max(norm, Number.EPSILON));
}

const pairs = (x: number): number => (x * (x - 1)) / 2;

/**
 * Adjusted Rand index of two labelings: 1 for identical partitions, ~0 for random ones, can be
 * negative (down to -0.5) when they disagree more than chance.
 */
export function ari(a: LabelArray, b: LabelArray): number {
  checkPair(a, b, 'ari', 'a', 'b');
  const n = a.length;
  const { table, rows, cols } = contingency(a, b);
  // Trivial cases where the formula is 0/0: identical partitions.
  if ((rows.length === cols.length && rows.length <= 1) || (rows.length === n && cols.length === n)) return 1;
  let index = 0;
  for (const nij of table.values()) index += pairs(nij);
  const sumRows = rows.reduce((s, x) => s + pairs(x), 0);
  const sumCols = cols.reduce((s, x) => s + pairs(x), 0);
  const expected = (sumRows * sumCols) / pairs(n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return index === expected ? 1 : 0;
  return (index - expected) / (max - expected);
}
