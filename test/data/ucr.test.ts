import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUcr, ucrDataset } from '../../src/data/ucr.js';
import { rejectsData } from './fixtures.js';

test('parseUcr: label then values; trailing NaN padding gives variable length', () => {
  const t = parseUcr('1\t0.5\t1.5\t2.5\n-1\t3\tNaN\tNaN\n', 'X_TRAIN.tsv');
  assert.deepEqual(t.labels, [1, -1]);
  assert.deepEqual(Array.from(t.series[0]!), [0.5, 1.5, 2.5]);
  assert.deepEqual(Array.from(t.series[1]!), [3]);
  // older archive copies separate with commas or spaces
  assert.deepEqual(parseUcr('2,1.5,2\n3  4 5\n', 'old.txt').series.map((x) => Array.from(x)), [[1.5, 2], [4, 5]]);
});

test('ucrDataset: labels remapped to 0..C-1, original values as class names, [-1, 1] when lengths vary', async () => {
  const t = parseUcr('1.0000000e+00\t0.5\t1.5\n-1\t3\tNaN\n2\t1\t1\n', 'X_TRAIN.tsv');
  const ds = ucrDataset(t, { name: 'X' });
  assert.deepEqual(ds.labels!.classNames, ['-1', '1', '2']);
  assert.deepEqual(Array.from(ds.labels!.values), [1, 0, 2]);
  assert.deepEqual(ds.sampleShape, [-1, 1]);
  assert.deepEqual((await ds.get(1)).shape, [1, 1]);
  const b = await ds.getBatch([0, 2]);
  assert.deepEqual(b.shape, [2, 2, 1]);
  await assert.rejects(() => ds.getBatch([0, 1]), /one shape/);
  // class values shared with the other split keep ids stable
  const test2 = ucrDataset(parseUcr('2\t1\t1\n', 'X_TEST.tsv'), { name: 'X', classValues: ['-1', '1', '2'] });
  assert.deepEqual(Array.from(test2.labels!.values), [2]);
});

test('parseUcr: NaN in the middle, non-number, all-NaN row, empty file', async () => {
  await rejectsData(() => parseUcr('1\t0.5\tNaN\t2\n', 'm.tsv'), /m\.tsv/, /row 1, column 4: a value follows a NaN at column 3/);
  await rejectsData(() => parseUcr('1\t0.5\n1\tabc\n', 'n.tsv'), /row 2, column 2: expected a number or NaN, found "abc"/);
  await rejectsData(() => parseUcr('1\tNaN\n', 'a.tsv'), /row 1: the series has no values/);
  await rejectsData(() => parseUcr('', 'e.tsv'), /e\.tsv/, /empty/);
  await rejectsData(() => ucrDataset(parseUcr('3\t1\n', 'x'), { name: 'X_TEST.tsv', classValues: ['1', '2'] }), /label "3" at sample 0, outside the known classes \[1, 2\]/);
});
