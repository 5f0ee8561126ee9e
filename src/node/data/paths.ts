/**
 * Where data lives: the bundled datasets (`data/` in the package), the shared data folder
 * (`CONTRASTIVE_DATA`, else `../shared/data` next to the package, else `../shared/data` from the
 * current folder) and the download cache (`CONTRASTIVE_CACHE`, else `~/.cache/contrastive`).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file is src/node/data/paths.ts or dist/node/data/paths.js. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

/** The folder of the bundled datasets (`<package>/data`). */
export function bundledDataDir(): string {
  return join(packageRoot(), 'data');
}

/** Where the shared data folder is looked for, in order, with the reason for each. */
export function sharedDataCandidates(): { path: string; from: string }[] {
  const out: { path: string; from: string }[] = [];
  const env = process.env.CONTRASTIVE_DATA;
  if (env !== undefined && env !== '') out.push({ path: resolve(env), from: 'CONTRASTIVE_DATA' });
  out.push({ path: resolve(packageRoot(), '..', 'shared', 'data'), from: 'next to the package' });
  const cwd = resolve('..', 'shared', 'data');
  if (!out.some((c) => c.path === cwd)) out.push({ path: cwd, from: 'from the current folder' });
  return out;
}

/** The first shared data folder that exists, or undefined. */
export function sharedDataDir(): string | undefined {
  return sharedDataCandidates().find((c) => existsSync(c.path))?.path;
}

/** Where `contrastive data download` puts datasets by default. */
export function downloadCacheDir(): string {
  const env = process.env.CONTRASTIVE_CACHE;
  return env !== undefined && env !== '' ? resolve(env) : join(homedir(), '.cache', 'contrastive');
}
