import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy, loadNpy } from '../../../src/node/data/npy-file.js';
import { encodeNpy } from '../../../src/data/npy.js';
import { rejectsData, tempDir } from '../../data/fixtures.js';

test('writeNpy / readNpy round trip; loadNpy with a labels file', async () => {
  const dir = tempDir();
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 3);
  await writeNpy(join(dir, 'emb', 'x.npy'), x, [4, 3]);
  const a = await readNpy(join(dir, 'emb', 'x.npy'));
  assert.deepEqual(a.shape, [4, 3]);
  assert.deepEqual(Array.from(a.data), Array.from(x));
  await writeNpy(join(dir, 'y.npy'), Uint8Array.from([0, 2, 1, 2]), [4]);
  const ds = await loadNpy(join(dir, 'emb', 'x.npy'), { labels: join(dir, 'y.npy') });
  assert.equal(ds.kind, 'vector');
  assert.equal(ds.name, 'x');
  assert.deepEqual(Array.from(ds.labels!.values), [0, 2, 1, 2]);
  assert.deepEqual(Array.from((await ds.get(1)).data), Array.from(x.subarray(3, 6)));
});

test('loadNpy: unsupported dtype, label count mismatch, truncated', async () => {
  const dir = tempDir();
  const f8 = encodeNpy(Float32Array.from([1, 2]), [2]);
  const text = new TextDecoder('latin1').decode(f8).replace("'<f4'", "'<i8'");
  writeFileSync(join(dir, 'i8.npy'), Uint8Array.from(text, (c) => c.charCodeAt(0)));
  await rejectsData(() => readNpy(join(dir, 'i8.npy')), /i8\.npy/, /unsupported dtype '<i8'/);
  await writeNpy(join(dir, 'x.npy'), new Float32Array(6), [3, 2]);
  await writeNpy(join(dir, 'y.npy'), Uint8Array.from([0, 1]), [2]);
  await rejectsData(() => loadNpy(join(dir, 'x.npy'), { labels: join(dir, 'y.npy') }), /has 3 rows but 2 labels/);
  const full = encodeNpy(new Float32Array(6), [3, 2]);
  writeFileSync(join(dir, 't.npy'), full.subarray(0, full.length - 4));
  await rejectsData(() => readNpy(join(dir, 't.npy')), /t\.npy/, /truncated/);
});

test('readNpy: files written by NumPy (v1, v2, v3, uint8 images); float64 and Fortran order rejected', async () => {
  const dir = new URL('../../fixtures/data/npy/', import.meta.url).pathname;
  for (const v of [1, 2, 3]) {
    const a = await readNpy(join(dir, `f32_v${v}.npy`));
    assert.deepEqual(a.shape, [3, 2]);
    assert.deepEqual(Array.from(a.data), [0, 0.25, 0.5, 0.75, 1, 1.25]);
  }
  const im = await loadNpy(join(dir, 'u8_images.npy'), { labels: join(dir, 'labels_u8.npy') }).catch((e: Error) => e);
  assert.ok(im instanceof Error, 'a label count that differs from the row count is refused');
  assert.match(im.message, /has 2 rows but 3 labels/);
  const ds = await loadNpy(join(dir, 'u8_images.npy'));
  assert.equal(ds.kind, 'image');
  assert.deepEqual(ds.sampleShape, [2, 2, 1]);
  assert.deepEqual(Array.from((await ds.get(1)).data), [120, 150, 180, 210].map((v) => Math.fround(v / 255)));
  await rejectsData(() => readNpy(join(dir, 'f64.npy')), /f64\.npy/, /unsupported dtype '<f8'/);
  await rejectsData(() => readNpy(join(dir, 'fortran.npy')), /Fortran order/);
});
