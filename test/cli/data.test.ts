import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { register, listText, dataOptionsFrom, dataInventory, type DataInventory } from '../../src/cli/data.js';
import { bundledDataDir } from '../../src/node/data/paths.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../data/fixtures.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the real CLI entry point in a child process. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `contrastive data ...` in this process and returns what it printed. */
async function inProcess(...args: string[]): Promise<string> {
  const program = new Command('contrastive').exitOverride();
  register(program);
  const lines: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = () => undefined;
  try {
    await program.parseAsync(['node', 'contrastive', 'data', ...args]);
  } finally {
    console.log = log;
    console.error = err;
  }
  return lines.join('\n');
}

test('contrastive data list (child process): bundled sets, the shared folder, the downloads', () => {
  const r = cli('data', 'list');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fashion-mnist\s+\S+data\/fashion-mnist \(30\.\d MB\)/);
  assert.match(r.stdout, /digits\s+\S+digits\.csv\.gz/);
  assert.match(r.stdout, /Shared data folder/);
  assert.match(r.stdout, /mnist\s+(not downloaded|available)/);
  assert.equal(r.stdout.trim(), listText().trim());
});

test('contrastive data list --json: one object with the same inventory as the text', () => {
  const r = cli('data', 'list', '--json');
  assert.equal(r.status, 0, r.stderr);
  const inv = JSON.parse(r.stdout) as DataInventory;
  assert.deepEqual(inv, dataInventory());
  const digits = inv.bundled.find((b) => b.name === 'digits');
  assert.ok(digits?.present === true && digits.bytes! > 0 && digits.path.endsWith('digits.csv.gz'));
  assert.ok(inv.downloadable.some((d) => d.name === 'mnist'));
  assert.ok(inv.formats.includes('folder'));
});

test('a DataError from the CLI exits 2 with one line and no stack trace (child process)', () => {
  const bad = cli('data', 'info', 'idx:/no/such/dir');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^contrastive: loadIdx: `\/no\/such\/dir` does not exist\n$/);
});

test('contrastive data info prints size, shape and classes', async () => {
  const out = await inProcess('info', '--data', 'digits', '--limit', '20', '--as', 'image');
  assert.match(out, /digits: 20 image samples of shape \[8, 8, 1\]/);
  assert.match(out, /classes \(10\): 0=2, 1=2/);
  await assert.rejects(() => inProcess('info', 'mp3:x'), ConfigError);
});

test('contrastive data download verifies files already in --dir (no network needed)', async () => {
  const dir = tempDir();
  const src = join(bundledDataDir(), 'fashion-mnist');
  for (const f of readdirSync(src).filter((n) => n.endsWith('.gz'))) copyFileSync(join(src, f), join(dir, f));
  const out = await inProcess('download', 'fashion-mnist', '--dir', dir);
  assert.equal(out.match(/^present/gm)?.length, 4);
  await assert.rejects(() => inProcess('download', 'imagenet'), /must be one of mnist, fashion-mnist, cifar10/);
});

test('dataOptionsFrom: --data/--split/--limit/--image-size/--channels/--as into loadDataset options', () => {
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
