import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDataSpec, formatDataSpec } from '../../../src/node/data/data-spec.js';
import { loadDataset } from '../../../src/node/data/load-dataset.js';
import { classCounts } from '../../../src/data/label-set.js';
import { ConfigError } from '../../../src/errors.js';
import { encodeWav } from '../../../src/data/wav.js';
import { rejectsData, skipWithoutShared, tempDir } from '../../data/fixtures.js';

test('parseDataSpec: formats, names, and errors listing the choices', () => {
  assert.deepEqual(parseDataSpec('idx:/data/mnist'), { kind: 'file', format: 'idx', path: '/data/mnist' });
  assert.deepEqual(parseDataSpec('folder:C:/x'), { kind: 'file', format: 'folder', path: 'C:/x' });
  assert.deepEqual(parseDataSpec('digits'), { kind: 'named', name: 'digits' });
  assert.equal(formatDataSpec(parseDataSpec('ucr:ECG200')), 'ucr:ECG200');
  assert.throws(() => parseDataSpec('mp3:x'), (e: unknown) => e instanceof ConfigError && /unknown format "mp3"; formats: idx, cifar, folder, csv, ucr, wav, npy/.test(e.message));
  assert.throws(() => parseDataSpec('imagenet'), /must be '<format>:<path>'/);
  assert.throws(() => parseDataSpec('csv:'), /must give a path after 'csv:'/);
  assert.throws(() => parseDataSpec(''), ConfigError);
});

test('loadDataset: bundled digits with --limit takes the same share of every class, the first ones', async () => {
  const ds = await loadDataset('digits', { limit: 100, as: 'image' });
  assert.equal(ds.size, 100);
  assert.deepEqual(ds.sampleShape, [8, 8, 1]);
  assert.deepEqual(classCounts(ds.labels!), Array(10).fill(10));
  const full = await loadDataset('digits');
  assert.equal(full.size, 1797);
  await assert.rejects(() => loadDataset('digits', { split: 'test' }), /no test split/);
  await assert.rejects(() => loadDataset('digits', { limit: 0 }), /`limit` must be an integer >= 1, got 0/);
  await assert.rejects(() => loadDataset('digits', { split: 'val' as 'test' }), /`split` must be one of 'train', 'test'/);
});

test('loadDataset: bundled fashion-mnist test split with a limit', async () => {
  const ds = await loadDataset('fashion-mnist', { split: 'test', limit: 50 });
  assert.equal(ds.name, 'fashion-mnist:test');
  assert.equal(ds.size, 50);
  assert.deepEqual(classCounts(ds.labels!), Array(10).fill(5));
  assert.equal(ds.labels!.classNames[9], 'Ankle boot');
  const b = await ds.getBatch([0, 49]);
  assert.deepEqual(b.shape, [2, 28, 28, 1]);
});

test('loadDataset: wav folder split only when asked; a missing path is a DataError', async () => {
  const dir = join(tempDir(), 'clips');
  mkdirSync(dir);
  for (const i of [0, 1, 7]) writeFileSync(join(dir, `3_x_${i}.wav`), encodeWav(new Float32Array(5), 8000));
  assert.equal((await loadDataset(`wav:${dir}`)).size, 3);
  assert.equal((await loadDataset(`wav:${dir}`, { split: 'test' })).size, 2);
  await rejectsData(() => loadDataset('idx:/no/such/folder'), /\/no\/such\/folder/, /does not exist/);
  writeFileSync(join(dir, 'x.csv'), '1,2,0\n');
  await assert.rejects(() => loadDataset(`csv:${join(dir, 'x.csv')}`, { split: 'test' }), /one file has no split/);
});

test('loadDataset: shared data by name and relative paths', { skip: skipWithoutShared('shared data') }, async () => {
  const fsdd = await loadDataset('fsdd', { split: 'test', limit: 60 });
  assert.equal(fsdd.size, 60);
  assert.deepEqual(classCounts(fsdd.labels!), Array(10).fill(6));
  const ecg = await loadDataset('ucr:ECG200', { split: 'test' });
  assert.equal(ecg.size, 100);
  const cifar = await loadDataset('cifar10-subset', { split: 'test', limit: 20 });
  assert.equal(cifar.size, 20);
  assert.equal(cifar.labels!.classNames[0], 'airplane');
  const viaPath = await loadDataset('cifar:cifar10-subset', { split: 'test' });
  assert.equal(viaPath.size, 1000);
});
