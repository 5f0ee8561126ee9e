import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stratifiedFolds, stratifiedSplit, stratifiedSubset } from '../../src/eval/stratify.js';
import { ConfigError } from '../../src/errors.js';

const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 900 ? i % 3 : 3)); // 300, 300, 300, 100

function counts(rows: Int32Array): number[] {
  const c = [0, 0, 0, 0];
  for (const r of rows) c[labels[r]!]!++;
  return c;
}

test('stratifiedSubset keeps the same share of every class, at least one', () => {
  assert.deepEqual(counts(stratifiedSubset(labels, 0.1, 1)), [30, 30, 30, 10]);
  assert.deepEqual(counts(stratifiedSubset(labels, 0.001, 1)), [1, 1, 1, 1]);
  assert.equal(stratifiedSubset(labels, 1, 1).length, 1000);
});

test('stratifiedSubset is deterministic under the seed, nested across fractions, sorted', () => {
  const a = stratifiedSubset(labels, 0.05, 7);
  assert.deepEqual(a, stratifiedSubset(labels, 0.05, 7));
  assert.notDeepEqual(a, stratifiedSubset(labels, 0.05, 8));
  const big = new Set(stratifiedSubset(labels, 0.2, 7));
  assert.ok(
    Array.from(a).every((r) => big.has(r)),
    'the 5% subset lies inside the 20% one',
  );
  assert.ok(a.every((v, i) => i === 0 || v > a[i - 1]!));
});

test('stratifiedSplit holds out a stratified slice and keeps singletons for fitting', () => {
  const y = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 2]);
  const { fit, validation } = stratifiedSplit(y, 0.2, 3);
  assert.equal(fit.length + validation.length, 8);
  assert.deepEqual(Array.from(validation, (r) => y[r]).sort(), [0, 1]); // class 0: round(1)=1, class 1: at least 1, class 2: single row stays
  assert.ok(Array.from(fit).some((r) => y[r] === 2));
  assert.deepEqual(stratifiedSplit(y, 0, 3).validation.length, 0);
});

test('typed errors on bad fractions', () => {
  assert.throws(() => stratifiedSubset(labels, 0), ConfigError);
  assert.throws(() => stratifiedSubset(labels, 1.5), ConfigError);
  assert.throws(() => stratifiedSplit(labels, -0.1), ConfigError);
});

test('stratifiedFolds deals each class round-robin over k folds: sizes within one, every class in every fold, seeded', () => {
  const f = stratifiedFolds(labels, 5, 2);
  assert.equal(f.length, labels.length);
  const sizes = [0, 0, 0, 0, 0];
  const perClass = Array.from({ length: 4 }, () => [0, 0, 0, 0, 0]);
  for (let i = 0; i < f.length; i++) {
    sizes[f[i]!]!++;
    perClass[labels[i]!]![f[i]!]!++;
  }
  assert.deepEqual(sizes, [200, 200, 200, 200, 200]);
  assert.deepEqual(perClass, [
    [60, 60, 60, 60, 60],
    [60, 60, 60, 60, 60],
    [60, 60, 60, 60, 60],
    [20, 20, 20, 20, 20],
  ]);
  assert.deepEqual(f, stratifiedFolds(labels, 5, 2));
  assert.notDeepEqual(f, stratifiedFolds(labels, 5, 3));
  // a singleton class is never held out; uneven classes still give sizes within one
  const y = Int32Array.from([0, 0, 0, 1, 1, 2, 0]);
  const g = stratifiedFolds(y, 3, 0);
  assert.equal(g[5], -1);
  const s = [0, 0, 0];
  g.forEach((v) => v >= 0 && s[v]!++);
  assert.ok(Math.max(...s) - Math.min(...s) <= 1, `fold sizes ${s}`);
  assert.throws(
    () => stratifiedFolds(labels, 1),
    (e: unknown) => e instanceof ConfigError && /stratifiedFolds: `k` must be an integer >= 2/.test(e.message),
  );
});
