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
  const ds = await loadImageFolder(await folder(), { imageSize: 4, channels: 1, workers: 1 });
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
  const ds = await loadImageFolder(root, { imageSize: 4, workers: 1 });
  try {
    const i = ds.files.findIndex((f) => f.endsWith('broken.png'));
    await rejectsData(() => ds.get(i), /broken\.png/, /is not a readable image/);
    assert.equal((await ds.get(0)).shape[0], 4, 'the pool still works after a failed decode');
  } finally {
    await ds.close();
  }
  await assert.rejects(() => loadImageFolder(root, { imageSize: 0 }), ConfigError);
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
