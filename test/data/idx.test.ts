import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdx, idxDataset } from '../../src/data/idx.js';
import { idxBytes, rejectsData } from './fixtures.js';

test('parseIdx reads dims and uint8 values', () => {
  const a = parseIdx(idxBytes([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]), 'x');
  assert.equal(a.dtype, 'uint8');
  assert.deepEqual(a.dims, [2, 2, 3]);
  assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
});

test('parseIdx reads big-endian int32 and float32', () => {
  const b = new Uint8Array(4 + 4 + 8);
  b[2] = 0x0c;
  b[3] = 1;
  const v = new DataView(b.buffer);
  v.setUint32(4, 2);
  v.setInt32(8, -5);
  v.setInt32(12, 70000);
  assert.deepEqual(Array.from(parseIdx(b, 'i').data), [-5, 70000]);
  b[2] = 0x0d;
  v.setFloat32(8, 1.5);
  v.setFloat32(12, -0.25);
  assert.deepEqual(Array.from(parseIdx(b, 'f').data), [1.5, -0.25]);
});

test('parseIdx: empty, wrong magic, truncated header, truncated data, trailing bytes', async () => {
  await rejectsData(() => parseIdx(new Uint8Array(0), 'e.idx'), /e\.idx/, /empty/);
  const bad = idxBytes([1], [3]);
  bad[0] = 0x1f;
  await rejectsData(() => parseIdx(bad, 'm.idx'), /m\.idx/, /wrong magic number 0x1f/, /offset 0/);
  const badType = idxBytes([1], [3], 0x07);
  await rejectsData(() => parseIdx(badType, 't.idx'), /wrong magic number 0x00000701/);
  await rejectsData(() => parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 9), 'h.idx'), /truncated/, /header with 2 dimensions needs 12 bytes, found 9/);
  const full = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);
  await rejectsData(() => parseIdx(full.subarray(0, full.length - 1), 'd.idx'), /truncated/, /dims \[2, 3\]/, /6 data bytes/, /found 5/);
  const extra = new Uint8Array(full.length + 2);
  extra.set(full);
  await rejectsData(() => parseIdx(extra, 'x.idx'), /trailing bytes/, /found 8/);
});

test('idxDataset: images scaled to [0, 1], HWC with one channel, labels checked', async () => {
  const images = parseIdx(idxBytes([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]), 'img');
  const labels = parseIdx(idxBytes([3], [2, 0, 9]), 'lab');
  const ds = idxDataset(images, labels, { name: 't' });
  assert.equal(ds.size, 3);
  assert.deepEqual(ds.sampleShape, [2, 2, 1]);
  assert.equal(ds.kind, 'image');
  const s = await ds.get(0);
  assert.deepEqual(s.shape, [2, 2, 1]);
  assert.deepEqual(Array.from(s.data), [0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
  assert.deepEqual(Array.from(ds.labels!.values), [2, 0, 9]);
  await rejectsData(() => idxDataset(images, parseIdx(idxBytes([3], [2, 0, 10]), 'lab.idx'), { name: 't', labelsFile: 'lab.idx' }), /lab\.idx/, /label 10 at item 2 \(offset 10\)/, /0\.\.9/);
  await rejectsData(() => idxDataset(images, parseIdx(idxBytes([2], [2, 0]), 'lab2.idx'), { name: 't', imagesFile: 'img.idx', labelsFile: 'lab2.idx' }), /lab2\.idx/, /one label per image of img\.idx \(3\), found 2/);
});
