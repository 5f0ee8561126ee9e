/** The package's version, read once from its package.json (`contrastive --version`, `doctor`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../node/data/paths.js';

let version: string | undefined;

/** `version` of the package.json at the package root (src/ or dist/ alike). */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
