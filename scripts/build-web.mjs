#!/usr/bin/env node
// `npm run demo:web`: bundles web/main.ts (the library's browser build, platform=browser, so any
// `node:` import in the core fails the build) into dist-web/ with the page, the bundled digits
// and tfjs-backend-wasm's .wasm files. Serve it with `npx contrastive serve`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'dist-web');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'web/main.ts')],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  outfile: join(out, 'main.js'),
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});
const nodeInputs = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('src/node/') || f.startsWith('src/cli/'));
if (nodeInputs.length > 0) {
  console.error(`build-web: the browser bundle pulled in Node-only files: ${nodeInputs.join(', ')}`);
  process.exit(1);
}

copyFileSync(join(root, 'web/index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'data/digits/digits.csv.gz'), join(out, 'digits.csv.gz'));
copyFileSync(join(root, 'data/digits/ATTRIBUTION.md'), join(out, 'DIGITS-ATTRIBUTION.md'));
const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const f of readdirSync(join(wasmDir, 'dist')).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, 'dist', f), join(out, f));
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('main.js'))].bytes;
console.log(`build-web: ${out} (main.js ${(bytes / 1024).toFixed(0)} kB)`);
