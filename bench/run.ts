/**
 * `npm run bench -- <name> [options]`: runs bench/<name>.ts, whose `main(args)` prints its
 * results. Each benchmark measures ratios within one run; results go to BENCHMARKS.md.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  console.error(`usage: npm run bench -- <${names.join('|')}> [options]${name ? ` (unknown benchmark '${name}')` : ''}`);
  process.exit(2);
}
const mod = (await import(join(here, `${name}.ts`))) as { main(args: string[]): Promise<void> };
await mod.main(args);
