/**
 * RunLock with real processes: a live holder refuses a second writer (naming its pid), a lock
 * left by a killed process is stale and taken over, and of several processes racing for one
 * folder exactly one gets it. Then `pretrain` twice at once into one --out: one runs, the other
 * exits 2 naming the first's pid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunLock, processAlive } from '../../../src/node/run/run-lock.js';
import { ConfigError } from '../../../src/errors.js';
import { tempDir } from '../../data/fixtures.js';
import { cliChild, errLines, finished } from '../../support/image-collection.js';

const lockModule = join(import.meta.dirname, '..', '..', '..', 'src', 'node', 'run', 'run-lock.ts');

test('RunLock: the pid is in the lock file; a second writer is refused naming it; release frees the folder', async () => {
  const dir = join(tempDir(), 'run');
  const a = await RunLock.acquire(dir, 'pretrain', '--out');
  assert.equal(readFileSync(join(dir, 'lock'), 'utf8'), `${process.pid}\n`);
  await assert.rejects(
    () => RunLock.acquire(dir, 'pretrain', '--out'),
    (e: Error) =>
      e instanceof ConfigError &&
      e.message.includes(`being written by another process (pid ${process.pid}`) &&
      e.message.startsWith('pretrain: `--out`'),
  );
  await a.release();
  assert.ok(!existsSync(dir), 'a folder the lock created and nothing else wrote is removed');
  const b = await RunLock.acquire(dir);
  writeFileSync(join(dir, 'config.json'), '{}');
  await b.release();
  assert.ok(existsSync(join(dir, 'config.json')) && !existsSync(join(dir, 'lock')));
});

test('RunLock: a lock whose process is dead is stale and taken over', async () => {
  const dir = tempDir();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  assert.ok(!processAlive(pid));
  writeFileSync(join(dir, 'lock'), `${pid}\n`);
  const l = await RunLock.acquire(dir);
  assert.equal(readFileSync(join(dir, 'lock'), 'utf8'), `${process.pid}\n`);
  await l.release();
});

test('RunLock: of four processes racing for one folder (over a stale lock), exactly one holds it', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'lock'), '999999999\n'); // no such pid: stale
  const script = `const { RunLock } = await import(${JSON.stringify(lockModule)});
try { const l = await RunLock.acquire(${JSON.stringify(dir)}); console.log('got'); await new Promise((r) => setTimeout(r, 1500)); await l.release(); }
catch (e) { console.log(/being written by another process/.test(e.message) ? 'refused' : 'error ' + e.message); }`;
  const runs = Array.from({ length: 4 }, () => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    return finished(c);
  });
  const outs = (await Promise.all(runs)).map((r) => r.stdout.trim());
  assert.equal(outs.filter((o) => o === 'got').length, 1, outs.join(' | '));
  assert.equal(outs.filter((o) => o === 'refused').length, 3, outs.join(' | '));
});

test('pretrain twice at once into one --out: the second exits 2 naming the first pid; the first runs on alone', async () => {
  const out = join(tempDir(), 'run');
  // long enough that the second process (its start-up takes seconds on a loaded machine) meets it running
  const args = [
    'pretrain',
    '--data',
    'digits',
    '--limit',
    '300',
    '--batch-size',
    '64',
    '--monitor',
    '0',
    '--epochs',
    '2000',
    '--no-report',
    '--out',
    out,
  ];
  const first = cliChild(args);
  const firstDone = finished(first);
  // wait until the first holds the lock
  for (let i = 0; i < 400 && !existsSync(join(out, 'lock')); i++) await new Promise((r) => setTimeout(r, 25));
  const second = await finished(cliChild(args));
  assert.equal(second.status, 2, second.stderr);
  const lines = errLines(second.stderr);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, new RegExp(`being written by another process \\(pid ${first.pid}`));
  first.kill('SIGINT'); // Ctrl-C: a checkpoint, exit 130
  const r = await firstDone;
  assert.equal(r.status, 130, r.stderr);
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(
    steps,
    steps.map((_, i) => i + 1),
    'the steps of one run, 1..N, not two interleaved',
  );
  assert.ok(!existsSync(join(out, 'lock')), 'released at the end');
});
