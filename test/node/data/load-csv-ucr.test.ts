import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadCsv } from '../../../src/node/data/load-csv.js';
import { loadUcr } from '../../../src/node/data/load-ucr.js';
import { classCounts } from '../../../src/data/label-set.js';
import { bundledDataDir } from '../../../src/node/data/paths.js';
import { rejectsData, sharedData, skipWithoutShared, tempDir } from '../../data/fixtures.js';

test('loadCsv: bundled sklearn digits, 1,797 rows, as vectors and as 8x8x1 images', async () => {
  const file = join(bundledDataDir(), 'digits', 'digits.csv.gz');
  const v = await loadCsv(file, { numClasses: 10 });
  assert.equal(v.size, 1797);
  assert.deepEqual(v.sampleShape, [64]);
  assert.deepEqual(classCounts(v.labels!), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  const all = v.getBatchSync(Int32Array.from({ length: 1797 }, (_, i) => i)).x;
  assert.equal(Math.max(...all), 16);
  assert.equal(Math.min(...all), 0);
  const im = await loadCsv(file, { numClasses: 10, as: 'image' });
  assert.deepEqual(im.sampleShape, [8, 8, 1]);
  const s = await im.get(0);
  assert.ok(s.data.every((x) => x >= 0 && x <= 1));
  assert.equal(s.data[2], 5 / 16); // first row: 0,0,5,13,...
});

test('loadCsv: a row with the wrong number of fields names the file and row', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.csv.gz'), gzipSync('1,2,3,0\n1,2,3,1\n1,2,1\n'));
  await rejectsData(() => loadCsv(join(dir, 'bad.csv.gz')), /bad\.csv\.gz/, /row 3: expected 4 fields/, /found 3/);
});

test('loadUcr: _TRAIN/_TEST in a folder; class ids shared by both splits', async () => {
  const dir = join(tempDir(), 'Toy');
  mkdirSync(dir);
  writeFileSync(join(dir, 'Toy_TRAIN.tsv'), '1\t0\t1\t2\n1\t1\t1\t1\n');
  writeFileSync(join(dir, 'Toy_TEST.tsv'), '-1\t0\t0\t0\n1\t3\tNaN\tNaN\n');
  const train = await loadUcr(dir);
  assert.equal(train.name, 'Toy:train');
  assert.deepEqual(train.labels!.classNames, ['-1', '1']);
  assert.deepEqual(Array.from(train.labels!.values), [1, 1]);
  const t = await loadUcr(dir, { split: 'test' });
  assert.deepEqual(t.sampleShape, [-1, 1]);
  assert.deepEqual(Array.from(t.labels!.values), [0, 1]);
  writeFileSync(join(dir, 'Toy_TEST.tsv'), '1\t0\tNaN\t1\n');
  await rejectsData(() => loadUcr(dir), /Toy_TEST\.tsv/, /row 1, column 4: a value follows a NaN/);
});

test('loadUcr: shared UCR sets (ECG200 0/1 labels, CricketX 12 classes, ECG5000 train only)', { skip: skipWithoutShared('UCR 2018') }, async () => {
  const root = join(sharedData()!, 'ucr2018');
  const ecg = await loadUcr(join(root, 'ECG200'));
  assert.equal(ecg.size, 100);
  assert.deepEqual(ecg.sampleShape, [96, 1]);
  assert.deepEqual(ecg.labels!.classNames, ['0', '1']);
  assert.equal((await loadUcr(join(root, 'ECG200'), { split: 'test' })).size, 100);
  const cricket = await loadUcr(join(root, 'CricketX'), { split: 'test' });
  assert.equal(cricket.size, 390);
  assert.equal(cricket.labels!.classNames.length, 12);
  assert.deepEqual(cricket.sampleShape, [300, 1]);
  assert.equal((await loadUcr(join(root, 'ECG5000'))).size, 500);
  await rejectsData(() => loadUcr(join(root, 'ECG5000'), { split: 'test' }), /has no <Name>_TEST\.tsv/);
  const two = await loadUcr(join(root, 'TwoLeadECG'), { split: 'test' });
  assert.equal(two.size, 1139);
  assert.deepEqual(two.sampleShape, [82, 1]);
});
