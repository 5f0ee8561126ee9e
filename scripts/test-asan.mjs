#!/usr/bin/env node
// `npm run test:asan`: builds the native addon with AddressSanitizer (build-asan/) and runs the
// native kernel tests (test/node/native) against it, with the ASan runtime preloaded into node.
// Every native kernel runs at least once; any out-of-bounds read or write aborts with a report.
// Not part of `npm test` (the ASan build alone takes about a minute on 2 cores).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--asan', '--strict'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const addon = join(root, 'build-asan', 'build', 'Release', 'contrastive_native.node');
const cxx = process.env.CXX ?? 'g++';
const libasan = spawnSync(cxx, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();
if (!libasan || !existsSync(libasan)) {
  console.error(`test:asan: libasan.so not found via '${cxx} -print-file-name=libasan.so'`);
  process.exit(1);
}
const env = {
  ...process.env,
  LD_PRELOAD: libasan,
  // node and the BLAS keep memory until exit: leaks are not what this run looks for.
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:halt_on_error=1',
  CONTRASTIVE_NATIVE_ADDON: addon,
  CONTRASTIVE_REQUIRE_NATIVE: '1',
};
console.log(`test:asan: ${addon} with LD_PRELOAD=${libasan}`);
// First prove the sanitizer is live: the probe reads past a heap block and must abort.
const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(addon)}).asanProbe()`], { encoding: 'utf8', env });
if (probe.status === 0 || !/heap-buffer-overflow/.test(probe.stderr)) {
  console.error('test:asan: the ASan probe did not abort with heap-buffer-overflow: the sanitizer is not active');
  process.exit(1);
}
console.log('test:asan: sanitizer live (probe aborted with heap-buffer-overflow)');
const res = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs'), join(root, 'test', 'node', 'native')], {
  stdio: 'inherit',
  env,
  cwd: root,
});
process.exit(res.status ?? 1);
