import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImageFolder } from '../../../src/node/data/image-folder.js';
import { batches } from '../../../src/data/batches.js';
import { ConfigError } from '../../../src/errors.js';
import { rejectsData, tempDir } from '../../data/fixtures.js';

async function solid(file: string, w: number, h: number, rgb: [number, number, number], format: 'png' | 'jpeg'): Promise<void> {
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  writeFileSync(file, format === 'png' ? await img.png().toBuffer() : await img.jpeg({ quality: 100 }).toBuffer());
}

async function folder(): Promise<string> {
  const root = tempDir();
  for (const [cls, rgb] of [['cat', [255, 0, 0]], ['dog', [0, 0, 255]]] as const) {
    mkdirSync(join(root, cls));
    await solid(join(root, cls, 'a.png'), 20, 10, [...rgb], 'png');
    await solid(join(root, cls, 'b.jpg'), 7, 9, [...rgb], 'jpeg');
  }
  writeFileSync(join(root, 'cat', 'notes.txt'), 'ignored');
  return root;
}

test('loadImageFolder: classes from subfolders, PNG and JPEG decoded in workers, resized, RGB in [0, 1]', async () => {
  const ds = await loadImageFolder(await folder(), { imageSize: [6, 5], workers: 2 });
  try {
    assert.equal(ds.size, 4);
    assert.deepEqual(ds.labels!.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(ds.labels!.values), [0, 0, 1, 1]);
    assert.deepEqual(ds.sampleShape, [6, 5, 3]);
    const b = await ds.getBatch([0, 3]);
    assert.deepEqual(b.shape, [2, 6, 5, 3]);
    assert.deepEqual(Array.from(b.x.subarray(0, 3)), [1, 0, 0]); // red PNG pixel
    const blue = b.x.subarray(90, 93); // JPEG: close to blue
    assert.ok(blue[0]! < 0.05 && blue[1]! < 0.05 && blue[2]! > 0.95, `blue pixel ${Array.from(blue)}`);
  } finally {
    await ds.close();
  }
});

test('loadImageFolder: grey output is luminance; batches stream with bounded decodes in flight', async () => {
  const ds = await loadImageFolder(await folder(), { imageSize: 4, channels: 1, workers: 1, cacheBytes: 0 });
  try {
    assert.deepEqual(ds.sampleShape, [4, 4, 1]);
    // Luminance of pure red is 0.2126 and of pure blue 0.0722 in linear light; sRGB-encoded
    // (what sharp's greyscale writes) that is about 0.50 and 0.30.
    const red = (await ds.get(0)).data[0]!;
    const blue = (await ds.get(2)).data[0]!;
    assert.ok(Math.abs(red - 0.5) < 0.03, `grey of red ${red}`);
    assert.ok(Math.abs(blue - 0.3) < 0.03, `grey of blue ${blue}`);
    let peak = 0;
    const seen: number[] = [];
    for await (const b of batches(ds, { batchSize: 2, prefetch: 1 })) {
      peak = Math.max(peak, ds.pool.inFlight);
      seen.push(...b.indices);
    }
    assert.deepEqual(seen, [0, 1, 2, 3]);
    // all decodes of a batch are posted at once, so workers keep going while the main thread is busy
    const pending = ds.getBatch([0, 1, 2, 3]);
    assert.equal(ds.pool.inFlight, 4);
    await pending;
    assert.equal(ds.pool.inFlight, 0);
    assert.ok(peak <= 2, `decodes in flight while consuming: ${peak}`);
  } finally {
    await ds.close();
  }
});

test('loadImageFolder: an unreadable image is a DataError naming the file; bad options are ConfigErrors', async () => {
  const root = await folder();
  writeFileSync(join(root, 'dog', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not a png'));
  const ds = await loadImageFolder(root, { imageSize: 4, workers: 1, onUnreadable: 'throw' });
  try {
    const i = ds.files.findIndex((f) => f.endsWith('broken.png'));
    await rejectsData(() => ds.get(i), /broken\.png/, /is not a readable image/);
    assert.equal((await ds.get(0)).shape[0], 4, 'the pool still works after a failed decode');
  } finally {
    await ds.close();
  }
  await assert.rejects(() => loadImageFolder(root, { imageSize: 0 }), ConfigError);
  await assert.rejects(() => loadImageFolder(root, { resize: 'squash' as 'fill' }), ConfigError);
  await assert.rejects(() => loadImageFolder(root, { labels: 'maybe' as 'none' }), ConfigError);
  await rejectsData(() => loadImageFolder(join(root, 'nope')), /does not exist/);
  await rejectsData(() => loadImageFolder(root, { split: 'test' }), /has no test\/ subfolder/);
});

test('loadImageFolder: train/ and test/ subfolders give the splits', async () => {
  const root = tempDir();
  for (const split of ['train', 'test']) {
    for (const cls of ['x', 'y']) {
      mkdirSync(join(root, split, cls), { recursive: true });
      await solid(join(root, split, cls, '1.png'), 3, 3, [10, 20, 30], 'png');
    }
  }
  await solid(join(root, 'test', 'y', '2.png'), 3, 3, [10, 20, 30], 'png');
  const tr = await loadImageFolder(root, { split: 'train', imageSize: 3 });
  const te = await loadImageFolder(root, { split: 'test', imageSize: 3 });
  assert.equal(tr.size, 2);
  assert.equal(te.size, 3);
  await tr.close();
  await te.close();
});

async function encode(file: string, w: number, h: number, rgb: [number, number, number], format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif'): Promise<void> {
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  writeFileSync(file, await img.toFormat(format, format === 'jpeg' || format === 'webp' || format === 'avif' ? { quality: 100, lossless: format !== 'jpeg' } : {}).toBuffer());
}

test('loadImageFolder: a flat folder of mixed formats is unlabelled; a non-image and a corrupt file are skipped, not fatal', async () => {
  const root = tempDir();
  const formats = ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const;
  for (const [i, f] of formats.entries()) await encode(join(root, `${i}.${f === 'jpeg' ? 'jpg' : f}`), 12, 8, [0, 200, 0], f);
  writeFileSync(join(root, 'readme.txt'), 'not an image');
  writeFileSync(join(root, 'zz-corrupt.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
  writeFileSync(join(root, '.DS_Store'), 'hidden: ignored');
  const lines: string[] = [];
  const ds = await loadImageFolder(root, { imageSize: 4, workers: 2, log: (l) => lines.push(l) });
  try {
    assert.equal(ds.labels, undefined);
    assert.equal(ds.size, 7);
    assert.deepEqual(ds.ids, ['0.png', '1.jpg', '2.webp', '3.gif', '4.tiff', '5.avif', 'zz-corrupt.jpg']);
    assert.match(lines.join('\n'), /7 images, unlabelled: 7 lie directly in the root.*1 other files skipped/);
    const b = await ds.getBatch([0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(b.shape, [7, 4, 4, 3]);
    for (let k = 0; k < 7; k++) {
      const px = b.x.subarray(k * 48, k * 48 + 3);
      assert.ok(px[0]! < 0.05 && Math.abs(px[1]! - 200 / 255) < 0.05 && px[2]! < 0.05, `${ds.ids[k]} pixel ${Array.from(px)}`);
    }
    // the corrupt file is recorded once and a readable image stood in for it
    assert.deepEqual([...ds.unreadable], [6]);
    assert.deepEqual(ds.skipped.map((s) => s.id), ['readme.txt', 'zz-corrupt.jpg']);
    assert.match(ds.skipped[1]!.reason, /is not a readable image/);
  } finally {
    await ds.close();
  }
});

test('loadImageFolder: nested folders: classes only when subfolders hold every image; --labels overrides', async () => {
  const root = tempDir();
  for (const [p, rgb] of [['cats/2020/a.png', [255, 0, 0]], ['cats/b.png', [255, 0, 0]], ['dogs/x/y/c.png', [0, 0, 255]]] as const) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    await encode(join(root, p), 5, 5, [...rgb], 'png');
  }
  const auto = await loadImageFolder(root, { imageSize: 2 });
  assert.deepEqual(auto.labels?.classNames, ['cats', 'dogs']);
  assert.deepEqual(auto.ids, ['cats/2020/a.png', 'cats/b.png', 'dogs/x/y/c.png']);
  assert.deepEqual(Array.from(auto.labels!.values), [0, 0, 1]);
  await auto.close();
  const none = await loadImageFolder(root, { imageSize: 2, labels: 'none' });
  assert.equal(none.labels, undefined);
  await none.close();
  // one image in the root: the subfolders no longer label every image
  await encode(join(root, 'loose.png'), 5, 5, [0, 0, 0], 'png');
  const mixed = await loadImageFolder(root, { imageSize: 2 });
  assert.equal(mixed.labels, undefined);
  assert.equal(mixed.size, 4);
  await mixed.close();
  await rejectsData(() => loadImageFolder(root, { labels: 'folders' }), /1 images directly in it/);
  // an empty folder (or one without images) is a DataError
  const empty = tempDir();
  writeFileSync(join(empty, 'notes.txt'), 'x');
  await rejectsData(() => loadImageFolder(empty), /holds no image files/);
});

test('loadImageFolder: resize crop keeps the aspect ratio (centre crop), pad letterboxes, fill stretches', async () => {
  const root = tempDir();
  // 40x10: left quarter red, the middle half green, right quarter blue
  const w = 40;
  const h = 10;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = x < 10 ? 0 : x < 30 ? 1 : 2;
      raw[(y * w + x) * 3 + c] = 255;
    }
  }
  writeFileSync(join(root, 'wide.png'), await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
  const px = async (resize: 'crop' | 'pad' | 'fill'): Promise<number[][]> => {
    const ds = await loadImageFolder(root, { imageSize: 4, resize, workers: 1 });
    const d = (await ds.get(0)).data;
    await ds.close();
    return Array.from({ length: 4 }, (_, x) => Array.from(d.subarray((1 * 4 + x) * 3, (1 * 4 + x) * 3 + 3), (v) => Math.round(v)));
  };
  assert.deepEqual(await px('crop'), [[0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0]], 'centre crop: all green');
  assert.deepEqual(await px('fill'), [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]], 'stretched');
  const pad = await loadImageFolder(root, { imageSize: 4, resize: 'pad', workers: 1 });
  const d = (await pad.get(0)).data;
  await pad.close();
  assert.deepEqual(Array.from(d.subarray(0, 12)), new Array(12).fill(0), 'top row is black padding');
});

test('loadImageFolder: decoded samples are cached up to cacheBytes, then stream', async () => {
  const root = tempDir();
  for (let i = 0; i < 6; i++) await encode(join(root, `${i}.png`), 4, 4, [i * 40, 0, 0], 'png');
  const bytesPer = 4 * 4 * 3 * 4;
  const ds = await loadImageFolder(root, { imageSize: 4, workers: 1, cacheBytes: 2 * bytesPer });
  try {
    await ds.getBatch([0, 1, 2, 3, 4, 5]);
    // only two samples stay decoded; the others are decoded again when asked for
    const again = await ds.getBatch([0, 5]);
    assert.ok(Math.abs(again.x[0]! - 0) < 1e-6 && Math.abs(again.x[48]! - 200 / 255) < 1e-6);
  } finally {
    await ds.close();
  }
});
