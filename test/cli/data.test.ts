import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledDataDir } from '../../src/node/data/paths.js';
import { tempDir } from '../data/fixtures.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('contrastive data list shows the bundled sets, the shared folder and the downloads', () => {
  const r = cli('data', 'list');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fashion-mnist\s+\S+data\/fashion-mnist \(30\.\d MB\)/);
  assert.match(r.stdout, /digits\s+\S+digits\.csv\.gz/);
  assert.match(r.stdout, /Shared data folder/);
  assert.match(r.stdout, /mnist\s+(not downloaded|available)/);
});

test('contrastive data info prints size, shape and classes; a DataError exits 2 with one line', () => {
  const ok = cli('data', 'info', '--data', 'digits', '--limit', '20', '--as', 'image');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /digits: 20 image samples of shape \[8, 8, 1\]/);
  assert.match(ok.stdout, /classes \(10\): 0=2, 1=2/);
  const bad = cli('data', 'info', 'idx:/no/such/dir');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^contrastive: loadIdx: `\/no\/such\/dir` does not exist\n$/);
  const spec = cli('data', 'info', 'mp3:x');
  assert.equal(spec.status, 2);
  assert.doesNotMatch(spec.stderr, /\n\s+at /);
});

test('contrastive data download verifies files already in --dir (no network needed)', () => {
  const dir = tempDir();
  const src = join(bundledDataDir(), 'fashion-mnist');
  for (const f of readdirSync(src).filter((n) => n.endsWith('.gz'))) copyFileSync(join(src, f), join(dir, f));
  const r = cli('data', 'download', 'fashion-mnist', '--dir', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.match(/^present/gm)?.length, 4);
  const unknown = cli('data', 'download', 'imagenet');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /must be one of mnist, fashion-mnist, cifar10/);
});

test('dataOptionsFrom: --data/--split/--limit/--image-size/--channels/--as into loadDataset options', async () => {
  const { dataOptionsFrom } = await import('../../src/cli/data.js');
  assert.deepEqual(dataOptionsFrom({ data: 'folder:x', split: 'test', limit: '10', imageSize: '24x32', channels: '1' }), {
    spec: 'folder:x',
    options: { split: 'test', limit: 10, imageSize: [24, 32], channels: 1 },
  });
  assert.deepEqual(dataOptionsFrom({ data: 'digits', imageSize: '8', as: 'image' }).options, { imageSize: 8, as: 'image' });
  assert.throws(() => dataOptionsFrom({}), /`--data` must be given/);
  assert.throws(() => dataOptionsFrom({ data: 'digits', limit: '-3' }), /`--limit` must be an integer >= 1, got "-3"/);
  assert.throws(() => dataOptionsFrom({ data: 'digits', split: 'val' }), /`--split` must be train or test/);
  assert.throws(() => dataOptionsFrom({ data: 'digits', imageSize: '3x' }), /`--image-size` must be N or HxW/);
});
