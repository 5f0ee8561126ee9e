#!/usr/bin/env node
// `npm run demo:web`: bundles web/main.ts (the library's browser build, platform=browser, so any
// `node:` import in the core fails the build) into dist-web/ with the page, the bundled digits
// and tfjs-backend-wasm's .wasm files. Serve it with `npx contrastive serve`.
// Code splitting: the WebGPU and WebGL backends (imported by src/backend-loaders/ only when tried) land
// in chunks of their own (chunks/), fetched only by a page that uses them.
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
  outdir: out,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
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
// sizes: what the page loads at once (main.js and the chunks it imports statically), and each
// chunk loaded on demand, named after the package that fills most of it
const outputs = result.metafile.outputs;
const kB = (b) => `${(b / 1024).toFixed(0)} kB`;
const mainKey = Object.keys(outputs).find((k) => k.endsWith('main.js'));
const initial = new Set([mainKey]);
for (const todo = [mainKey]; todo.length > 0;) {
  for (const i of outputs[todo.pop()].imports)
    if (i.kind === 'import-statement' && !initial.has(i.path)) (initial.add(i.path), todo.push(i.path));
}
const mainOf = (o) => {
  const byPkg = {};
  for (const [f, v] of Object.entries(o.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? 'contrastive';
    byPkg[pkg] = (byPkg[pkg] ?? 0) + v.bytesInOutput;
  }
  return Object.entries(byPkg).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?';
};
const js = Object.keys(outputs).filter((k) => k.endsWith('.js'));
const atOnce = js.filter((k) => initial.has(k)).reduce((s, k) => s + outputs[k].bytes, 0);
const lazy = js.filter((k) => !initial.has(k)).map((k) => `${mainOf(outputs[k])} ${kB(outputs[k].bytes)}`);
console.log(`build-web: ${out} (loaded at once: ${kB(atOnce)} of JavaScript in ${initial.size} files; on demand: ${lazy.join(', ')})`);
