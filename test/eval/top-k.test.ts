import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topKRows } from '../../src/eval/top-k.js';
import { randn } from '../support/tensors.js';

/** Reference: sort each row by value (descending), ties by lower index first, take k. */
function naive(values: Float32Array, rows: number, cols: number, k: number): string[] {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, j) => ({ v: values[r * cols + j]!, j }));
    row.sort((a, b) => b.v - a.v || a.j - b.j);
    out.push(
      row
        .slice(0, k)
        .map((e) => e.j)
        .sort((a, b) => a - b)
        .join(','),
    );
  }
  return out;
}

function got(values: Float32Array, rows: number, cols: number, k: number): string[] {
  const { values: v, indices } = topKRows(values, rows, cols, k);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const idx = Array.from(indices.subarray(r * k, r * k + k));
    idx.forEach((j, i) => assert.equal(v[r * k + i], values[r * cols + j]));
    out.push(idx.sort((a, b) => a - b).join(','));
  }
  return out;
}

test('same sets as sorting, for random rows and k from 1 to cols', () => {
  const values = randn(7 * 50, 3);
  for (const k of [1, 2, 10, 49, 50]) assert.deepEqual(got(values, 7, 50, k), naive(values, 7, 50, k), `k=${k}`);
});

test('ties keep the lower index', () => {
  const values = Float32Array.from([1, 3, 3, 2, 3, 0, 3, 1, 1, 1, 1, 1]); // 2 rows of 6
  assert.deepEqual(got(values, 2, 6, 2), ['1,2', '0,1']);
  assert.deepEqual(got(values, 2, 6, 4), naive(values, 2, 6, 4));
  const ints = Float32Array.from({ length: 4 * 40 }, (_, i) => (i * 7919) % 5); // many ties
  for (const k of [3, 8, 17]) assert.deepEqual(got(ints, 4, 40, k), naive(ints, 4, 40, k), `k=${k}`);
});
