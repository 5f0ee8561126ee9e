#!/usr/bin/env node
// Builds the optional native addon (oneDNN + OpenBLAS) with node-gyp. Run by `npm install` /
// `npm ci` (the package's "install" script) and by `npm run build:native`.
// When oneDNN, OpenBLAS or a compiler is missing it prints ONE line and exits 0, so installing
// the package never fails because of it; the backend then reports why it did not load.
//   --asan     build with AddressSanitizer into build-asan/ (for `npm run test:asan`)
//   --strict   exit 1 instead of 0 when the build is skipped or fails
//   --verbose  show node-gyp's output
import { existsSync, mkdirSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const asan = args.has('--asan');
const strict = args.has('--strict');
const verbose = args.has('--verbose');

/** Prints the one-line outcome and exits. */
function done(ok, line) {
  console.log(`contrastive: native addon ${line}`);
  process.exit(ok || !strict ? 0 : 1);
}

if (process.env.CONTRASTIVE_SKIP_NATIVE === '1') done(false, 'skipped (CONTRASTIVE_SKIP_NATIVE=1)');
if (process.platform === 'win32')
  done(false, 'not built: the native backend does not support Windows yet; the wasm backend is used instead');

// A C++ compiler first: without one node-gyp fails after a long configure step.
const compiler = [process.env.CXX, 'c++', 'g++', 'clang++']
  .filter(Boolean)
  .find((cxx) => spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status === 0);
if (compiler === undefined) {
  done(false, 'not built: no C++ compiler found (apt-get install g++, or xcode-select --install); the wasm backend is used instead');
}

const includeDirs = [
  '/usr/include',
  '/usr/local/include',
  '/opt/homebrew/include',
  '/opt/homebrew/opt/onednn/include',
  '/usr/local/opt/onednn/include',
  '/opt/homebrew/opt/openblas/include',
  '/usr/local/opt/openblas/include',
  ...(process.env.CPATH ?? '').split(':').filter(Boolean),
];
const hasHeader = (name) => includeDirs.some((d) => existsSync(join(d, name)));
if (!hasHeader('dnnl.hpp')) {
  done(
    false,
    'not built: oneDNN headers not found (apt-get install libdnnl-dev libopenblas-dev, or brew install onednn openblas libomp); the wasm backend is used instead',
  );
}
if (!hasHeader('cblas.h') && !hasHeader('openblas/cblas.h') && !hasHeader('x86_64-linux-gnu/cblas.h')) {
  done(false, 'not built: cblas.h not found (apt-get install libopenblas-dev, or brew install openblas); the wasm backend is used instead');
}

// node-gyp: npm passes its bundled copy to lifecycle scripts; otherwise look next to node.
const gypCandidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gyp = gypCandidates.find((p) => existsSync(p));
if (gyp === undefined) done(false, 'not built: node-gyp not found (it ships with npm)');

const gypArgs = [gyp, 'rebuild', `-j`, 'max'];
// Offline machines: use the headers installed with node instead of downloading them.
const prefix = resolve(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) gypArgs.push(`--nodedir=${prefix}`);

// Prefer the OpenMP build of OpenBLAS (Debian's libopenblas0-openmp): it shares oneDNN's
// OpenMP thread pool instead of spinning its own pthreads against it.
const defines = [];
const ompBlas = ['/usr/lib/x86_64-linux-gnu/openblas-openmp', '/usr/lib/aarch64-linux-gnu/openblas-openmp'].find((d) =>
  existsSync(join(d, 'libopenblas.so.0')),
);
if (ompBlas !== undefined) defines.push(`-Dblas_libs=-L${ompBlas} -l:libopenblas.so.0 -Wl,-rpath,${ompBlas}`);
if (asan) defines.push('-Dcontrastive_asan=1');
if (defines.length) gypArgs.push('--', ...defines);

// The ASan build happens in a copy under build-asan/ so that it does not replace build/.
let cwd = root;
if (asan) {
  cwd = join(root, 'build-asan');
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  cpSync(join(root, 'native'), join(cwd, 'native'), { recursive: true });
  cpSync(join(root, 'binding.gyp'), join(cwd, 'binding.gyp'));
}
const started = Date.now();
const res = spawnSync(process.execPath, gypArgs, { cwd, encoding: 'utf8', stdio: verbose ? 'inherit' : 'pipe' });
const out = join(cwd, 'build', 'Release', 'contrastive_native.node');
if (res.status !== 0 || !existsSync(out)) {
  const lines = `${res.stdout ?? ''}\n${res.stderr ?? ''}`.split('\n').map((l) => l.trim());
  const reason =
    lines.find((l) => / error:|error: |fatal error|not found|command not found/i.test(l)) ?? `node-gyp exited with ${res.status}`;
  writeFileSync(join(root, 'build-native.log'), `${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  done(false, `build failed (${reason.slice(0, 200)}); full log in build-native.log; the wasm backend is used instead`);
}
const variants = existsSync(out.replace(/\.node$/, '_avx2.node')) ? ' (+ its AVX2 build)' : '';
done(true, `built${asan ? ' with AddressSanitizer' : ''} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${out}${variants}`);
