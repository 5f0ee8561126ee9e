/**
 * Class-stratified sampling of row indices, deterministic under a seed: the labelled subsets of
 * label-efficiency runs (1%, 10% of the labels) and the cross-validation folds of the linear probe.
 */
import { Rng } from '../random.js';
import { assertFinite, assertInRange, assertInteger } from '../validate.js';
import { ConfigError } from '../errors.js';

/** Row indices of each class, in row order. */
function byClass(labels: Int32Array): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < labels.length; i++) (groups[labels[i]!] ??= []).push(i);
  return groups;
}

/**
 * A class-stratified subset: from each class present, round(fraction * its count) rows, at least 1,
 * chosen uniformly at random. Returns sorted row indices.
 * @param fraction in (0, 1]; 1 returns every row.
 */
export function stratifiedSubset(labels: Int32Array, fraction: number, seed = 0): Int32Array {
  const fn = 'stratifiedSubset';
  assertInRange(fraction, 0, 1, fn, 'fraction');
  if (fraction === 0) throw new ConfigError(fn, 'fraction', 'must be > 0, got 0');
  assertFinite(seed, fn, 'seed');
  const rng = new Rng(seed);
  const picked: number[] = [];
  for (const group of byClass(labels)) {
    if (group === undefined) continue;
    const take = Math.min(group.length, Math.max(1, Math.round(fraction * group.length)));
    rng.shuffle(group);
    for (let i = 0; i < take; i++) picked.push(group[i]!);
  }
  return Int32Array.from(picked).sort();
}

/**
 * A class-stratified split into a fitting part and a validation part. Each class with at least
 * two rows gives round(validationFraction * count) rows to validation, at least 1 and leaving at
 * least 1 for fitting; a class with a single row stays in the fitting part.
 */
export function stratifiedSplit(labels: Int32Array, validationFraction: number, seed = 0): { fit: Int32Array; validation: Int32Array } {
  const fn = 'stratifiedSplit';
  assertInRange(validationFraction, 0, 1, fn, 'validationFraction');
  assertFinite(seed, fn, 'seed');
  const rng = new Rng(seed);
  const fit: number[] = [];
  const validation: number[] = [];
  for (const group of byClass(labels)) {
    if (group === undefined) continue;
    rng.shuffle(group);
    const v =
      group.length < 2 || validationFraction === 0
        ? 0
        : Math.min(group.length - 1, Math.max(1, Math.round(validationFraction * group.length)));
    for (let i = 0; i < group.length; i++) (i < v ? validation : fit).push(group[i]!);
  }
  return { fit: Int32Array.from(fit).sort(), validation: Int32Array.from(validation).sort() };
}

/**
 * Class-stratified k-fold assignment: the fold (0..k-1) of each row. Each class's rows are shuffled
 * and dealt round-robin, continuing from where the previous class stopped, so every fold gets
 * about 1/k of each class and the folds' sizes differ by at most one. A class with a single row
 * gets -1: it is never held out (it could not be learned in the fold that holds it).
 */
export function stratifiedFolds(labels: Int32Array, k: number, seed = 0): Int32Array {
  const fn = 'stratifiedFolds';
  assertInteger(k, fn, 'k', 2);
  assertFinite(seed, fn, 'seed');
  const rng = new Rng(seed);
  const fold = new Int32Array(labels.length).fill(-1);
  let next = 0;
  for (const group of byClass(labels)) {
    if (group === undefined || group.length < 2) continue;
    rng.shuffle(group);
    for (const row of group) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}
