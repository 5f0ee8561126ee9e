#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Node 20's --test does not expand globs, so the files are listed here.
// Extra arguments are passed on (e.g. `npm test -- --test-name-pattern=ntXent`) or, when they are
// paths, replace the file list (`npm test -- test/losses`).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : find(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-') && existsSync(a));
const flags = args.filter((a) => !paths.includes(a));
const files = (paths.length ? paths : ['test']).flatMap((p) => (statSync(p).isDirectory() ? find(p) : [p])).sort();
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
