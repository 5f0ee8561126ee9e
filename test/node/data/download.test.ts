import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { downloadDataset } from '../../../src/node/data/download.js';
import { readTar } from '../../../src/node/data/tar.js';
import { bundledDataDir } from '../../../src/node/data/paths.js';
import { ConfigError } from '../../../src/errors.js';
import { rejectsData, tempDir } from '../../data/fixtures.js';

const rejectAll = async (): Promise<never> => {
  throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') });
};

test('downloadDataset without internet: a DataError that says which files to place where', async () => {
  const dir = tempDir();
  const err = await rejectsData(() => downloadDataset('mnist', { dir, fetch: rejectAll }), /mnist/, /could not be downloaded/, /fetch failed/, /Place these files by hand/);
  for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
    assert.ok(err.message.includes(join(dir, f)), `message names ${f}`);
  }
  assert.match(err.message, /sha256 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609/);
  const cifar = await rejectsData(() => downloadDataset('cifar10', { dir, fetch: rejectAll }), /cifar-10-binary\.tar\.gz/, /https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz/);
  assert.ok(cifar.message.includes(dir));
  assert.ok(cifar.message.includes(`${join(dir, 'cifar-10-batches-bin')}/ with data_batch_1.bin`));
});

test('downloadDataset: an unreachable local host (real fetch) fails the same way, quickly', async () => {
  const dir = tempDir();
  await rejectsData(() => downloadDataset('mnist', { dir, mirrors: ['http://127.0.0.1:9/'], timeoutMs: 5000 }), /127\.0\.0\.1:9/, /Place these files by hand/);
});

test('downloadDataset: bytes with the wrong SHA-256 are rejected and not written', async () => {
  const dir = tempDir();
  const wrong = async () => ({ ok: true, status: 200, arrayBuffer: async () => new Uint8Array([1, 2, 3]).buffer });
  await rejectsData(() => downloadDataset('mnist', { dir, fetch: wrong }), /SHA-256 039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81 does not match 440fcabf/);
  assert.equal(existsSync(join(dir, 'train-images-idx3-ubyte.gz')), false);
  const http404 = async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) });
  await rejectsData(() => downloadDataset('mnist', { dir, fetch: http404 }), /HTTP 404/);
  await assert.rejects(() => downloadDataset('imagenet', { dir }), ConfigError);
});

test('downloadDataset: files served (or placed) with a matching checksum are kept; present files are not fetched', async () => {
  const src = join(bundledDataDir(), 'fashion-mnist');
  const dir = tempDir();
  const urls: string[] = [];
  // Serves the bundled copy: Debian's recompressed .gz, accepted by the SHA-256 of its content.
  const serve = async (url: string) => {
    urls.push(url);
    const name = url.slice(url.lastIndexOf('/') + 1);
    const b = readFileSync(join(src, name));
    return { ok: true, status: 200, arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) };
  };
  const res = await downloadDataset('fashion-mnist', { dir, fetch: serve });
  assert.deepEqual(res.files.map((f) => f.status), ['downloaded', 'downloaded', 'downloaded', 'downloaded']);
  assert.ok(urls[0]!.startsWith('http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'));
  const again = await downloadDataset('fashion-mnist', { dir, fetch: rejectAll });
  assert.deepEqual(again.files.map((f) => f.status), ['present', 'present', 'present', 'present']);
  // A corrupted placed file is fetched again (and fails here, offline).
  const dir2 = tempDir();
  copyFileSync(join(src, 't10k-labels-idx1-ubyte.gz'), join(dir2, 'train-labels-idx1-ubyte.gz'));
  await rejectsData(() => downloadDataset('fashion-mnist', { dir: dir2, fetch: rejectAll }), /train-labels-idx1-ubyte\.gz: http/);
});

test('downloadDataset: an unpacked cifar-10-batches-bin folder counts as present', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'cifar-10-batches-bin'));
  for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin', 'batches.meta.txt']) {
    writeFileSync(join(dir, 'cifar-10-batches-bin', f), 'x');
  }
  const res = await downloadDataset('cifar10', { dir, fetch: rejectAll });
  assert.equal(res.files.length, 7);
  assert.ok(res.files.every((f) => f.status === 'present'));
});

test('readTar reads the regular files of a ustar archive made by tar(1)', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'cifar-10-batches-bin'));
  writeFileSync(join(dir, 'cifar-10-batches-bin', 'a.bin'), Buffer.alloc(1000, 7));
  writeFileSync(join(dir, 'cifar-10-batches-bin', 'batches.meta.txt'), 'airplane\n');
  execFileSync('tar', ['--format=ustar', '-cf', join(dir, 'x.tar'), '-C', dir, 'cifar-10-batches-bin']);
  const entries = readTar(new Uint8Array(readFileSync(join(dir, 'x.tar'))), 'x.tar');
  const byName = Object.fromEntries(entries.map((e) => [e.path, e.data]));
  assert.equal(byName['cifar-10-batches-bin/a.bin']!.length, 1000);
  assert.equal(byName['cifar-10-batches-bin/a.bin']![999], 7);
  assert.equal(new TextDecoder().decode(byName['cifar-10-batches-bin/batches.meta.txt']), 'airplane\n');
  const bytes = new Uint8Array(readFileSync(join(dir, 'x.tar')));
  await rejectsData(() => readTar(bytes.subarray(0, 1200), 'cut.tar'), /cut\.tar/, /truncated/);
});
