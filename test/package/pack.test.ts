/**
 * The package as a user gets it: `npm pack` (its prepack builds dist/ and the demo), the tarball
 * installed into an empty project, and there: the CLI (`--version`, `--help`, a two-step
 * pretrain on the bundled digits), both entry points imported from plain Node, and an esbuild
 * browser bundle of a three-line app that imports `contrastive` and computes a loss in Chromium on
 * wasm, with the `.wasm` files copied beside the bundle (README, "Use it in your own web app").
 * The install resolves the peer dependencies from npm's cache when it has them (`--prefer-offline`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startStaticServer } from '../../src/cli/serve.js';
import { chromiumMissing, launchChromium } from '../browser/chromium.js';

const root = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let work: string;
let app: string;

function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, CI: 'true' } });
}
const show = (r: SpawnSyncReturns<string>): string => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'contrastive-pack-'));
  const packed = sh('npm', ['pack', '--pack-destination', work, '--silent'], root);
  assert.equal(packed.status, 0, `npm pack failed: ${show(packed)}`);
  const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz !== undefined, `no tarball in ${work}`);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
  const installed = sh('npm', ['install', join(work, tgz), '--prefer-offline', '--no-audit', '--no-fund'], app);
  assert.equal(installed.status, 0, `npm install of the tarball failed: ${show(installed)}`);
});
after(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

test('installed package: the tarball holds the build, the bundled digits and the license, not the sources', () => {
  const pkg = join(app, 'node_modules', 'contrastive');
  for (const f of ['dist/index.js', 'dist/cli/main.js', 'dist-web/index.html', 'data/digits/digits.csv.gz', 'LICENSE', 'README.md']) {
    assert.ok(existsSync(join(pkg, f)), `${f} missing from the installed package`);
  }
  for (const f of ['src', 'test', 'bench', 'data/fashion-mnist']) assert.ok(!existsSync(join(pkg, f)), `${f} should not ship`);
  assert.ok(existsSync(join(app, 'node_modules', '@tensorflow', 'tfjs-core')), 'the tfjs peer dependencies are installed with it');
  assert.ok(!existsSync(join(app, 'node_modules', '@tensorflow', 'tfjs-node')), 'tfjs-node is an optional peer: not installed by default');
});

test('installed package: npx contrastive --version and --help', () => {
  const v = sh('npx', ['contrastive', '--version'], app);
  assert.equal(v.status, 0, show(v));
  assert.equal(v.stdout.trim(), version);
  const h = sh('npx', ['contrastive', '--help'], app);
  assert.equal(h.status, 0, show(h));
  for (const c of ['pretrain', 'eval', 'embed', 'doctor', 'data']) assert.match(h.stdout, new RegExp(`^\\s+${c}\\b`, 'm'));
});

test('installed package: import("contrastive") and import("contrastive/node") from plain Node', () => {
  const code = `const c = await import('contrastive'); const n = await import('contrastive/node');
console.log(JSON.stringify({ ntXent: typeof c.ntXentLoss, simclr: typeof c.simclr, tf: typeof c.tf.tensor, loadDataset: typeof n.loadDataset }));`;
  const r = sh(process.execPath, ['--input-type=module', '-e', code], app);
  assert.equal(r.status, 0, show(r));
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), {
    ntXent: 'function',
    simclr: 'function',
    tf: 'function',
    loadDataset: 'function',
  });
});

test('installed package: npx contrastive pretrain --data digits --steps 2 trains and saves an encoder', () => {
  const r = sh('npx', ['contrastive', 'pretrain', '--data', 'digits', '--steps', '2', '--out', 'r'], app);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stderr, /done: 2 steps/);
  assert.ok(existsSync(join(app, 'r', 'encoder', 'model.json')));
});

test(
  'installed package: an esbuild browser bundle of a three-line app computes a loss in Chromium on wasm',
  { skip: chromiumMissing },
  async () => {
    writeFileSync(
      join(app, 'main.js'),
      [
        "import { tf, initBackend, ntXentLoss, setWasmPaths } from 'contrastive';",
        "setWasmPaths(new URL('./', location.href).href);",
        "window.result = initBackend('wasm').then(async (b) => ({ backend: b.name, loss: (await ntXentLoss(tf.ones([4, 8]), tf.ones([4, 8])).data())[0] }));",
      ].join('\n'),
    );
    const out = join(app, 'web');
    // platform=browser: a `node:` import anywhere in what the app pulls in fails the build
    const result = await build({
      entryPoints: [join(app, 'main.js')],
      absWorkingDir: app,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outdir: out,
      metafile: true,
      logLevel: 'silent',
    });
    assert.deepEqual(result.errors, []);
    const nodeOnly = Object.keys(result.metafile.inputs).filter((f) => /contrastive\/dist\/(node|cli)\//.test(f) || f.startsWith('node:'));
    assert.deepEqual(nodeOnly, [], 'the browser bundle pulled in Node-only files');
    // the .wasm files go beside the bundle (setWasmPaths above points there)
    const wasmDist = join(app, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
    for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, f), join(out, f));
    writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="main.js"></script>');
    const server = await startStaticServer({ dir: out, port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}index.html`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
      const r = await page.evaluate(() => (window as unknown as { result: Promise<{ backend: string; loss: number }> }).result);
      assert.deepEqual(errors, []);
      assert.equal(r.backend, 'wasm');
      // identical embeddings: NT-Xent = log(2N - 1) with N = 4
      assert.ok(Math.abs(r.loss - Math.log(7)) < 1e-4, `loss ${r.loss}, expected ${Math.log(7)}`);
    } finally {
      await browser.close();
      await server.close();
    }
  },
);
