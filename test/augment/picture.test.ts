/**
 * Picture test: writes PNG grids of real images and their augmented views to test-artifacts/
 * so that a person can look at them (each row: the original, then its views). Needs the shared
 * data (CONTRASTIVE_DATA, default ../shared/data); skips with a message where it is absent.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { views } from '../../src/augment/views.js';
import { simclrCifar, smallGrey } from '../../src/augment/presets.js';
import { useBackend } from '../support/tensors.js';
import { missing } from '../support/prerequisites.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const data = resolve(root, process.env.CONTRASTIVE_DATA ?? '../shared/data');
const artifacts = join(root, 'test-artifacts');

before(() => useBackend());

/** The first n 28x28 images of an IDX3 gzip file, as [n, 28, 28, 1] in [0, 1] (a tiny reader for this test only). */
function readIdxImages(file: string, n: number): tf.Tensor4D {
  const raw = gunzipSync(readFileSync(file));
  assert.equal(raw.readUInt32BE(0), 0x00000803, 'IDX3 magic');
  const [rows, cols] = [raw.readUInt32BE(8), raw.readUInt32BE(12)];
  const pixels = raw.subarray(16, 16 + n * rows * cols);
  return tf.tensor4d(
    Float32Array.from(pixels, (v) => v / 255),
    [n, rows, cols, 1],
  );
}

/** The first n records of a CIFAR-10 binary file (label, 1024 R, 1024 G, 1024 B), as [n, 32, 32, 3] in [0, 1]. */
function readCifarImages(file: string, n: number): tf.Tensor4D {
  const buf = Buffer.alloc(n * 3073);
  const fd = openSync(file, 'r');
  readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const out = new Float32Array(n * 3072);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[i * 3072 + p * 3 + c] = buf[i * 3073 + 1 + c * 1024 + p]! / 255;
  return tf.tensor4d(out, [n, 32, 32, 3]);
}

/** Writes a grid: row i = [columns[0][i], columns[1][i], ...], each image scaled up `zoom` times. */
async function writeGrid(columns: tf.Tensor[], file: string, zoom: number): Promise<void> {
  const [n, h, w, c] = columns[0]!.shape as [number, number, number, number];
  const pad = 2;
  const [gw, gh] = [columns.length * (w + pad) + pad, n * (h + pad) + pad];
  const grid = Buffer.alloc(gw * gh * c, 255);
  columns.forEach((col, j) => {
    const v = col.dataSync();
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          for (let k = 0; k < c; k++) {
            const at = ((pad + i * (h + pad) + y) * gw + pad + j * (w + pad) + x) * c + k;
            grid[at] = Math.round(Math.min(1, Math.max(0, v[((i * h + y) * w + x) * c + k]!)) * 255);
          }
        }
      }
    }
  });
  mkdirSync(dirname(file), { recursive: true });
  await sharp(grid, { raw: { width: gw, height: gh, channels: c as 1 | 3 } })
    .resize(gw * zoom, gh * zoom, { kernel: 'nearest' })
    .png()
    .toFile(file);
}

test('picture: Fashion-MNIST items and four smallGrey views', async (t) => {
  const file = join(data, 'fashion-mnist', 't10k-images-idx3-ubyte.gz');
  if (!existsSync(file)) return t.skip(missing('data', `no Fashion-MNIST at ${file} (set CONTRASTIVE_DATA)`));
  const x = readIdxImages(file, 12);
  const v = views(smallGrey(28), 4)(x, new Rng(2024));
  const out = join(artifacts, 'augment-fashion-mnist-small-grey.png');
  await writeGrid([x, ...v], out, 4);
  assert.ok(existsSync(out));
  tf.dispose([x, ...v]);
});

test('picture: CIFAR-10 images and four simclrCifar views', async (t) => {
  const file = join(data, 'cifar10-subset', 'test_first1000.bin');
  if (!existsSync(file)) return t.skip(missing('data', `no CIFAR-10 subset at ${file} (set CONTRASTIVE_DATA)`));
  const x = readCifarImages(file, 12);
  const v = views(simclrCifar(32), 4)(x, new Rng(2024));
  const out = join(artifacts, 'augment-cifar10-simclr.png');
  await writeGrid([x, ...v], out, 4);
  assert.ok(existsSync(out));
  tf.dispose([x, ...v]);
});
