import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stratifiedLimit } from '../../src/data/stratified-limit.js';
import { ConfigError } from '../../src/errors.js';

test('balanced classes: n / C of each, the first ones in order', () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
  assert.deepEqual(Array.from(stratifiedLimit(labels, 6)), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(stratifiedLimit([0, 0, 0, 1, 1, 1], 4)), [0, 1, 3, 4]);
});

test('unbalanced classes keep their share; the total is exactly n', () => {
  const labels = [...Array(80).fill(0), ...Array(20).fill(1)];
  const out = stratifiedLimit(labels, 10);
  assert.equal(out.length, 10);
  assert.equal(Array.from(out).filter((i) => labels[i] === 1).length, 2);
  for (const n of [1, 3, 7, 33, 99]) assert.equal(stratifiedLimit([0, 1, 2, 2, 1, 0, 2, 2, 2, 1, 0], Math.min(n, 11)).length, Math.min(n, 11));
  const ascending = Array.from(stratifiedLimit(labels, 37));
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
});

test('n >= size returns every index; bad n is a ConfigError', () => {
  assert.deepEqual(Array.from(stratifiedLimit([1, 0], 5)), [0, 1]);
  assert.throws(() => stratifiedLimit([0], -1), ConfigError);
  assert.throws(() => stratifiedLimit([0], 1.5), /stratifiedLimit: `n` must be an integer >= 0, got 1.5/);
});
