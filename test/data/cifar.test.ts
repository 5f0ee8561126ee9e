import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCifar, cifarDataset } from '../../src/data/cifar.js';
import { cifarBytes, rejectsData } from './fixtures.js';

test('parseCifar converts R,G,B planes to HWC', () => {
  const a = parseCifar(cifarBytes([3, 7]), 10, 'c.bin');
  assert.equal(a.count, 2);
  assert.deepEqual(Array.from(a.labels), [3, 7]);
  // image 1, pixel p = 5 (row 0, col 5): R = p + 1, G = 2p + 1, B = 3p + 1
  const at = 3072 + 5 * 3;
  assert.deepEqual(Array.from(a.images.subarray(at, at + 3)), [6, 11, 16]);
  // pixel 40 is row 1, col 8
  const p = 40;
  const at2 = 3 * (1 * 32 + 8);
  assert.deepEqual(Array.from(a.images.subarray(at2, at2 + 3)), [p % 256, (2 * p) % 256, (3 * p) % 256]);
});

test('parseCifar CIFAR-100: coarse and fine labels', () => {
  const a = parseCifar(cifarBytes([45, 99], 100), 100, 'c100.bin');
  assert.deepEqual(Array.from(a.labels), [45, 99]);
  assert.deepEqual(Array.from(a.coarseLabels!), [5, 19]);
  const ds = cifarDataset([a], { name: 'c100', variant: 100 });
  assert.equal(ds.labels!.classNames.length, 100);
  assert.deepEqual(Array.from(ds.extraLabels!.coarse!.values), [5, 19]);
});

test('parseCifar: empty, truncated, label out of range', async () => {
  await rejectsData(() => parseCifar(new Uint8Array(0), 10, 'e.bin'), /e\.bin/, /empty/);
  const b = cifarBytes([1, 2]);
  await rejectsData(() => parseCifar(b.subarray(0, b.length - 100), 10, 't.bin'), /t\.bin/, /not a multiple of the 3073-byte record/, /record 1 at offset 3073 has 2973 bytes/);
  const bad = cifarBytes([1, 2, 3]);
  bad[2 * 3073] = 12;
  await rejectsData(() => parseCifar(bad, 10, 'l.bin'), /l\.bin/, /label 12 at record 2 \(offset 6146\)/, /0\.\.9/);
});

test('cifarDataset concatenates files, scales to [0, 1], names the classes', async () => {
  const ds = cifarDataset([parseCifar(cifarBytes([0, 1]), 10, 'a'), parseCifar(cifarBytes([9]), 10, 'b')], { name: 'c', variant: 10 });
  assert.equal(ds.size, 3);
  assert.deepEqual(ds.sampleShape, [32, 32, 3]);
  assert.equal(ds.labels!.classNames[9], 'truck');
  const b = await ds.getBatch([2, 0]);
  assert.deepEqual(b.shape, [2, 32, 32, 3]);
  assert.deepEqual(Array.from(b.labels!), [9, 0]);
  assert.ok(b.x.every((v) => v >= 0 && v <= 1));
  assert.equal(b.x[3], Math.fround(1 / 255)); // batch row 0 = file b image 0: pixel 1 R = 1
});
