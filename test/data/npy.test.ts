import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNpy, encodeNpy, npyDataset } from '../../src/data/npy.js';
import { rejectsData } from './fixtures.js';

/** A .npy with a hand-written header (version major.0). */
function npy(header: string, data: Uint8Array, major = 1): Uint8Array {
  const h = new TextEncoder().encode(header);
  const lenBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const v = new DataView(out.buffer);
  if (major === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(h, 8 + lenBytes);
  out.set(data, 8 + lenBytes + h.length);
  return out;
}

test('encodeNpy / parseNpy round trip, header aligned to 64 bytes', () => {
  const data = Float32Array.from([1, -2.5, 3, 4, 5, 6]);
  const bytes = encodeNpy(data, [2, 3]);
  const headerLen = new DataView(bytes.buffer).getUint16(8, true);
  assert.equal((10 + headerLen) % 64, 0);
  const a = parseNpy(bytes, 'x.npy');
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data), Array.from(data));
  const u = parseNpy(encodeNpy(Uint8Array.from([7, 8, 9]), [3]), 'u.npy');
  assert.deepEqual(u.shape, [3]);
  assert.deepEqual(Array.from(u.data), [7, 8, 9]);
});

test('parseNpy reads versions 2.0 and 3.0 headers', () => {
  const data = new Uint8Array(Float32Array.from([0.5, 1.5]).buffer);
  for (const major of [2, 3]) {
    const a = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", data, major), 'v.npy');
    assert.deepEqual(Array.from(a.data), [0.5, 1.5]);
  }
});

test('parseNpy: unsupported dtype, Fortran order, bad header, truncated, wrong magic, empty', async () => {
  const d8 = new Uint8Array(16);
  await rejectsData(() => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", d8), 'f8.npy'), /f8\.npy/, /unsupported dtype '<f8'/);
  await rejectsData(() => parseNpy(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", new Uint8Array(8)), 'be.npy'), /unsupported dtype '>f4'/);
  await rejectsData(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", new Uint8Array(8)), 'fo.npy'), /Fortran order/);
  await rejectsData(() => parseNpy(npy('not a dict\n', new Uint8Array(8)), 'h.npy'), /bad header at offset 10/);
  await rejectsData(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", new Uint8Array(8)), 't.npy'), /truncated: shape \(3\) of float32 needs 12 data bytes/, /found 8/);
  const bad = encodeNpy(Float32Array.from([1]), [1]);
  bad[1] = 0x00;
  await rejectsData(() => parseNpy(bad, 'm.npy'), /wrong magic number at offset 0/);
  await rejectsData(() => parseNpy(new Uint8Array(0), 'e.npy'), /empty/);
});

test('npyDataset: kind by rank, uint8 images scaled', async () => {
  const v = npyDataset(parseNpy(encodeNpy(Float32Array.from([1, 2, 3, 4]), [2, 2]), 'v'), { name: 'v' });
  assert.equal(v.kind, 'vector');
  assert.deepEqual(Array.from((await v.get(1)).data), [3, 4]);
  const im = npyDataset(parseNpy(encodeNpy(Uint8Array.from([0, 255, 51, 0]), [1, 2, 2, 1]), 'i'), { name: 'i' });
  assert.equal(im.kind, 'image');
  assert.deepEqual(Array.from((await im.get(0)).data), [0, 1, 0.2, 0].map(Math.fround));
});
