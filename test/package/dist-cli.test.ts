/**
 * The built CLI, dist/cli/main.js (what `npm run build` makes and the package's `bin` points
 * to), run by plain Node rather than the sources through tsx: --version, --help and a two-step
 * pretrain on the bundled digits. A dist/ that is absent or older than src/ is rebuilt first
 * (`npm run build`), so that the test never checks a stale build; CI builds before the tests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let work: string;

/** The newest modification time of a file under `dir`. */
function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}

function cli(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', timeout: 240_000 });
}
const show = (r: SpawnSyncReturns<string>): string => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

before(() => {
  if (!existsSync(main) || statSync(main).mtimeMs < newest(join(root, 'src'))) {
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(b.status, 0, `dist/ was absent or older than src/, and npm run build failed: ${show(b)}`);
  }
  work = mkdtempSync(join(tmpdir(), 'contrastive-dist-'));
});
after(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

test('dist/cli/main.js --version and --help', () => {
  const v = cli(['--version'], work);
  assert.equal(v.status, 0, show(v));
  assert.equal(v.stdout.trim(), version);
  const h = cli(['--help'], work);
  assert.equal(h.status, 0, show(h));
  for (const c of ['pretrain', 'eval', 'embed', 'doctor', 'data']) assert.match(h.stdout, new RegExp(`^\\s+${c}\\b`, 'm'));
});

test('dist/cli/main.js pretrain --data digits --steps 2 trains and saves an encoder', () => {
  const r = cli(['pretrain', '--data', 'digits', '--steps', '2', '--out', 'r'], work);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stderr, /done: 2 steps/);
  assert.equal(
    readFileSync(join(work, 'r', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n').length,
    2,
  );
  assert.ok(existsSync(join(work, 'r', 'encoder', 'model.json')));
});

test('dist/cli/main.js: a bad option is one line on stderr and exit 2', () => {
  const r = cli(['pretrain', '--data', 'digits', '--steps', 'two'], work);
  assert.equal(r.status, 2, show(r));
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});
