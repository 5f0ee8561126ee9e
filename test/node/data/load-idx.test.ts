import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadIdx } from '../../../src/node/data/load-idx.js';
import { classCounts } from '../../../src/data/label-set.js';
import { bundledDataDir } from '../../../src/node/data/paths.js';
import { idxBytes, rejectsData, tempDir } from '../../data/fixtures.js';

test('loadIdx: train-*/t10k-* files of a folder, gzip or raw', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([2, 2, 2], [0, 255, 0, 255, 1, 1, 1, 1])));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxBytes([2], [4, 2])));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxBytes([1, 2, 2], [9, 9, 9, 9]));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([1], [7]));
  const train = await loadIdx(dir);
  assert.equal(train.size, 2);
  assert.deepEqual(Array.from(train.labels!.values), [4, 2]);
  const t = await loadIdx(dir, { split: 'test' });
  assert.equal(t.size, 1);
  assert.equal((await t.get(0)).data[0], Math.fround(9 / 255));
  // one images file: its labels file is found by name
  const one = await loadIdx(join(dir, 't10k-images-idx3-ubyte'));
  assert.deepEqual(Array.from(one.labels!.values), [7]);
});

test('loadIdx: truncated gzip member, wrong magic, missing split', async () => {
  const dir = tempDir();
  const img = idxBytes([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), img.subarray(0, img.length - 3));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
  await rejectsData(() => loadIdx(dir), /train-images-idx3-ubyte/, /truncated/, /found 5/);
  const bad = idxBytes([2], [0, 1]);
  bad[3] = 0;
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), img);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), bad);
  await rejectsData(() => loadIdx(dir), /train-labels-idx1-ubyte/, /wrong magic number 0x00000800/);
  await rejectsData(() => loadIdx(dir, { split: 'test' }), /has no t10k-images-idx3-ubyte\[\.gz\] for split 'test'/);
});

test('loadIdx: bundled Fashion-MNIST, 60,000 + 10,000 balanced (the one full decode in the suite)', async () => {
  const dir = join(bundledDataDir(), 'fashion-mnist');
  const train = await loadIdx(dir);
  assert.equal(train.size, 60000);
  assert.deepEqual(train.sampleShape, [28, 28, 1]);
  assert.deepEqual(classCounts(train.labels!), Array(10).fill(6000));
  const test10k = await loadIdx(dir, { split: 'test' });
  assert.equal(test10k.size, 10000);
  assert.deepEqual(classCounts(test10k.labels!), Array(10).fill(1000));
  // Fashion-MNIST's first training label is 9 (ankle boot), the first test label 9 too.
  assert.equal(train.labels!.values[0], 9);
  assert.equal(test10k.labels!.values[0], 9);
  const b = await train.getBatch([0, 59999]);
  assert.ok(b.x.every((v) => v >= 0 && v <= 1));
  assert.ok(b.x.some((v) => v === 1) && b.x.some((v) => v === 0));
});
