import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, csvDataset } from '../../src/data/csv.js';
import { rejectsData } from './fixtures.js';

test('parseCsv: features then label, integer labels checked against numClasses', () => {
  const t = parseCsv('0,16,8,1\n4,4,4,0\n', 'd.csv', { numClasses: 2 });
  assert.equal(t.rows, 2);
  assert.equal(t.numFeatures, 3);
  assert.deepEqual(Array.from(t.features), [0, 16, 8, 4, 4, 4]);
  assert.deepEqual(Array.from(t.labels.values), [1, 0]);
  assert.deepEqual(t.labels.classNames, ['0', '1']);
});

test('parseCsv: header detected, string labels mapped in sorted order', () => {
  const t = parseCsv('a,b,species\n1,2,versicolor\n3,4,setosa\n5,6,versicolor\n', 'iris.csv');
  assert.deepEqual(t.columns, ['a', 'b', 'species']);
  assert.deepEqual(t.labels.classNames, ['setosa', 'versicolor']);
  assert.deepEqual(Array.from(t.labels.values), [1, 0, 1]);
});

test('parseCsv: wrong field count, non-number, label outside the class range, empty', async () => {
  await rejectsData(() => parseCsv('1,2,0\n3,0\n', 'f.csv'), /f\.csv/, /row 2: expected 3 fields \(2 features \+ label\), found 2/);
  await rejectsData(() => parseCsv('1,2,0\n3,x,0\n', 'n.csv'), /row 2, column 2: expected a number, found "x"/);
  await rejectsData(() => parseCsv('1,2,0\n3,4,10\n', 'l.csv', { numClasses: 10 }), /l\.csv/, /label 10 at row 2/, /0\.\.9/);
  await rejectsData(() => parseCsv('\n\n', 'e.csv'), /e\.csv/, /empty/);
});

test('csvDataset: vectors keep values; images are [8, 8, 1] scaled by 1/16', async () => {
  const row = Array.from({ length: 64 }, (_, i) => i % 17);
  const t = parseCsv(`${row.join(',')},3\n${row.reverse().join(',')},5\n`, 'digits.csv', { numClasses: 10 });
  const v = csvDataset(t, { name: 'v' });
  assert.deepEqual(v.sampleShape, [64]);
  assert.equal(v.kind, 'vector');
  assert.equal((await v.get(0)).data[16], 16);
  const im = csvDataset(t, { name: 'im', as: 'image' });
  assert.deepEqual(im.sampleShape, [8, 8, 1]);
  assert.equal(im.kind, 'image');
  const s = await im.get(0);
  assert.equal(s.data[16], 1);
  assert.equal(s.data[8], 0.5);
  await rejectsData(() => csvDataset(t, { name: 'im', as: 'image', imageShape: [7, 7, 1] }), /do not fill an image of shape \[7, 7, 1\]/);
});
