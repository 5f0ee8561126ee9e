import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifar } from '../../../src/node/data/load-cifar.js';
import { classCounts } from '../../../src/data/label-set.js';
import { cifarBytes, rejectsData, sharedData, skipWithoutShared, tempDir } from '../../data/fixtures.js';

test('loadCifar: data_batch_* is train, test_batch is test; sorted and concatenated', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data_batch_2.bin'), cifarBytes([5]));
  writeFileSync(join(dir, 'data_batch_1.bin'), cifarBytes([1, 2]));
  writeFileSync(join(dir, 'test_batch.bin'), cifarBytes([9]));
  writeFileSync(join(dir, 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n');
  const train = await loadCifar(dir);
  assert.deepEqual(Array.from(train.labels!.values), [1, 2, 5]);
  assert.equal(train.labels!.classNames[0], 'a');
  const t = await loadCifar(dir, { split: 'test' });
  assert.deepEqual(Array.from(t.labels!.values), [9]);
});

test('loadCifar: CIFAR-100 detected from record size; truncated file and bad label are DataErrors', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train.bin'), cifarBytes([77, 3, 50], 100));
  const c100 = await loadCifar(dir);
  assert.deepEqual(Array.from(c100.labels!.values), [77, 3, 50]);
  assert.ok(c100.extraLabels?.coarse !== undefined);
  const b = cifarBytes([1, 2]);
  writeFileSync(join(dir, 'test.bin'), b.subarray(0, 4000));
  await rejectsData(() => loadCifar(dir, { split: 'test', variant: 10 }), /test\.bin/, /not a multiple of the 3073-byte record/);
  const bad = cifarBytes([1, 2]);
  bad[3073] = 10;
  writeFileSync(join(dir, 'test.bin'), bad);
  await rejectsData(() => loadCifar(dir, { split: 'test', variant: 10 }), /label 10 at record 1 \(offset 3073\)/);
});

test('loadCifar: shared CIFAR-10 subset matches its PROVENANCE', { skip: skipWithoutShared('CIFAR-10 subset') }, async () => {
  const dir = join(sharedData()!, 'cifar10-subset');
  const train = await loadCifar(dir);
  const t = await loadCifar(dir, { split: 'test' });
  assert.equal(train.size, 4000);
  assert.equal(t.size, 1000);
  assert.deepEqual(Array.from(train.labels!.values.subarray(0, 10)), [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
  assert.deepEqual(Array.from(t.labels!.values.subarray(0, 10)), [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
  assert.deepEqual(classCounts(train.labels!), [396, 366, 420, 384, 422, 393, 414, 385, 407, 413]);
  assert.deepEqual(classCounts(t.labels!), [103, 89, 100, 103, 90, 86, 112, 102, 106, 109]);
  // channel means of the train subset (PROVENANCE: .4916/.4818/.4447)
  const b = train.getBatchSync(Int32Array.from({ length: 4000 }, (_, i) => i));
  const mean = [0, 0, 0];
  for (let i = 0; i < b.x.length; i++) mean[i % 3]! += b.x[i]!;
  const n = b.x.length / 3;
  assert.deepEqual(mean.map((m) => (m / n).toFixed(3)), ['0.492', '0.482', '0.445']);
});
