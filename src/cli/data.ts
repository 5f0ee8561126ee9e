/**
 * `contrastive data list | download <name> [--dir D] | info <spec> [--split S] [--limit N]`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CATALOG } from '../node/data/catalog.js';
import { DATA_FORMATS } from '../node/data/data-spec.js';
import { bundledDataDir, downloadCacheDir, sharedDataCandidates } from '../node/data/paths.js';
import { DOWNLOAD_NAMES, downloadDataset } from '../node/data/download.js';
import { loadDataset } from '../node/data/load-dataset.js';
import { classCounts } from '../data/label-set.js';
import { ConfigError } from '../errors.js';

function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((a, n) => a + sizeOf(join(path, n)), 0);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** The text of `contrastive data list`. */
export function listText(): string {
  const lines: string[] = [];
  lines.push(`Bundled (in ${bundledDataDir()}):`);
  for (const e of Object.values(CATALOG).filter((e) => e.source === 'bundled')) {
    const path = e.locations()[0]!;
    const here = existsSync(path);
    lines.push(`  ${e.name.padEnd(15)} ${here ? `${path} (${mb(sizeOf(path))})` : `MISSING: ${path}`}`);
    lines.push(`  ${''.padEnd(15)} ${e.description}; ${e.license}`);
  }
  lines.push('', 'Shared data folder (looked for in this order):');
  const candidates = sharedDataCandidates();
  const found = candidates.find((c) => existsSync(c.path));
  for (const c of candidates) {
    lines.push(`  ${c === found ? '*' : ' '} ${c.path}  (${c.from}${existsSync(c.path) ? '' : ', absent'})`);
  }
  if (found !== undefined) {
    const folders = readdirSync(found.path).filter((n) => statSync(join(found.path, n)).isDirectory());
    lines.push(`  contains: ${folders.join(', ') || 'nothing'}`);
  } else {
    lines.push('  none found: set CONTRASTIVE_DATA to use the CIFAR-10 subset, FSDD and UCR sets');
  }
  for (const e of Object.values(CATALOG).filter((e) => e.source === 'shared')) {
    const at = e.locations().find((p) => existsSync(p));
    lines.push(`  ${e.name.padEnd(15)} ${at ?? 'absent'}`);
  }
  lines.push('', `Downloadable (\`contrastive data download <name>\`, default folder ${downloadCacheDir()}):`);
  for (const name of DOWNLOAD_NAMES) {
    const e = CATALOG[name];
    const at = e.locations().find((p) => existsSync(p));
    lines.push(`  ${name.padEnd(15)} ${at !== undefined ? `available: ${at}` : 'not downloaded'}; ${e.license}`);
  }
  lines.push('', `Any other data: --data <format>:<path> with a format of ${DATA_FORMATS.join(', ')}.`);
  return lines.join('\n');
}

export function register(program: Command): void {
  const data = program.command('data').description('list, download and inspect datasets');

  data.command('list')
    .description('show the bundled datasets, the shared data folder and what can be downloaded')
    .action(() => {
      console.log(listText());
    });

  data.command('download')
    .description(`download a public dataset with SHA-256 checks (${DOWNLOAD_NAMES.join(', ')})`)
    .argument('<name>', DOWNLOAD_NAMES.join(' | '))
    .option('--dir <folder>', `target folder (default ${downloadCacheDir()}/<name>)`)
    .action(async (name: string, opts: { dir?: string }) => {
      const res = await downloadDataset(name, { ...(opts.dir !== undefined ? { dir: opts.dir } : {}), log: (l) => console.error(l) });
      for (const f of res.files) console.log(`${f.status.padEnd(10)} ${f.path}`);
    });

  data.command('info')
    .description('load a dataset and print its size, sample shape and classes')
    .argument('<spec>', `'<format>:<path>' or a dataset name (${Object.keys(CATALOG).join(', ')})`)
    .option('--split <split>', 'train or test')
    .option('--limit <n>', 'first N samples, stratified by class')
    .option('--as <kind>', 'csv: vector or image')
    .action(async (spec: string, opts: { split?: string; limit?: string; as?: string }) => {
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (opts.as !== undefined && opts.as !== 'vector' && opts.as !== 'image') {
        throw new ConfigError('contrastive data info', '--as', `must be vector or image, got ${JSON.stringify(opts.as)}`);
      }
      const ds = await loadDataset(spec, {
        ...(opts.split !== undefined ? { split: opts.split as 'train' | 'test' } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(opts.as !== undefined ? { as: opts.as as 'vector' | 'image' } : {}),
      });
      try {
        console.log(`${ds.name}: ${ds.size} ${ds.kind} samples of shape [${ds.sampleShape.map((d) => (d < 0 ? '*' : d)).join(', ')}], stored as ${ds.dtype}`);
        if (ds.labels !== undefined) {
          const counts = classCounts(ds.labels);
          console.log(`classes (${ds.labels.classNames.length}): ${ds.labels.classNames.map((n, c) => `${n}=${counts[c]}`).join(', ')}`);
        }
        for (const [k, v] of Object.entries(ds.extraLabels ?? {})) console.log(`${k} (${v.classNames.length}): ${v.classNames.join(', ')}`);
        const first = await ds.get(0);
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of first.data) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        console.log(`sample 0: shape [${first.shape.join(', ')}], values in [${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
      } finally {
        await ds.close?.();
      }
    });
}
