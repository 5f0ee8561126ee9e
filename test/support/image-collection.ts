/**
 * A small unlabelled image collection for the CLI tests (written with sharp into a temp folder),
 * the CLI as a child process, and one tiny run trained on the collection.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `contrastive <args>` to the end. */
export function cli(args: string[], timeout = 240_000): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `contrastive <args>` without waiting (stdout/stderr piped). */
export function cliChild(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a child to exit; resolves with its status and output. */
export function finished(child: ChildProcess): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (status, signal) => res({ status, signal, stdout, stderr })));
}

/** stderr lines without tfjs's banner and LanceDB's warnings. */
export const errLines = (s: string): string[] =>
  s.split('\n').filter((l) => l.trim() !== '' && !/^(=+|Hi, looks like you are running TensorFlow\.js|\[\d{4}-.*(WARN|INFO))/.test(l));

export function tempDir(prefix = 'contrastive-collection-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Four colours; image i has colour i % 4 and a size that varies with i (aspect ratios differ). */
export async function writeImage(file: string, i: number, format: 'png' | 'jpeg' = 'png'): Promise<void> {
  const c = i % 4;
  const bg = { r: c === 0 ? 240 : 20, g: c === 1 ? 240 : 20, b: c === 2 ? 240 : 20 + (c === 3 ? 200 : 0) };
  mkdirSync(dirname(file), { recursive: true });
  const img = sharp({ create: { width: 12 + (i % 7), height: 10 + (i % 5), channels: 3, background: bg } });
  await (format === 'png' ? img.png() : img.jpeg()).toFile(file);
}

/** `n` images `000.png`... in a flat folder (`dir` or a new temp folder). */
export async function flatCollection(n: number, dir = join(tempDir(), 'photos')): Promise<string> {
  for (let i = 0; i < n; i++) await writeImage(join(dir, `${String(i).padStart(3, '0')}.png`), i);
  return dir;
}

/** A 1-epoch SimCLR run at 16x16 on `folder` (a few seconds). */
export function tinyRun(folder: string, out: string, extra: string[] = []): void {
  const r = cli([
    'pretrain',
    '--data',
    `folder:${folder}`,
    '--image-size',
    '16',
    '--epochs',
    '1',
    '--batch-size',
    '16',
    '--out',
    out,
    '--no-report',
    ...extra,
  ]);
  assert.equal(r.status, 0, r.stderr);
}
