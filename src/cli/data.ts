/**
 * `contrastive data list | download <name> [--dir D] | info <spec> [--split S] [--limit N]`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import type { LoadDatasetOptions } from '../node/data/load-dataset.js';
import { CATALOG } from '../node/data/catalog.js';
import { DATA_FORMATS } from '../node/data/data-spec.js';
import { bundledDataDir, downloadCacheDir, sharedDataCandidates } from '../node/data/paths.js';
import { DOWNLOAD_NAMES, downloadDataset } from '../node/data/download.js';
import { loadDataset } from '../node/data/load-dataset.js';
import { classCounts } from '../data/label-set.js';
import { ConfigError } from '../errors.js';
import { LABEL_MODES, type LabelMode } from '../node/data/list-images.js';
import { RESIZE_MODES, type ResizeMode } from '../node/data/decode-pool.js';

/** Options every command that reads data shares (`train`, `embed`, `eval`). */
export interface DataCliOptions {
  data?: string;
  split?: string;
  limit?: string;
  imageSize?: string;
  channels?: string;
  as?: string;
  labels?: string;
  resize?: string;
}

/**
 * Adds `--data <spec>`, `--split`, `--limit`, `--image-size`, `--channels`, `--as` to a command:
 * the one way to name data on the command line. `defaultSpec` is used when --data is absent.
 */
export function addDataOptions(command: Command, defaultSpec?: string): Command {
  return command
    .option('--data <spec>', `'<format>:<path>' (${DATA_FORMATS.join(', ')}) or a name (${Object.keys(CATALOG).join(', ')})`, defaultSpec)
    .option('--split <split>', 'train or test')
    .option('--limit <n>', 'first N samples, the same share of every class')
    .option('--image-size <px>', 'image folders: output size, N or HxW')
    .option('--channels <n>', 'image folders: 1 (grey) or 3 (RGB)')
    .option('--as <kind>', 'csv: vector or image')
    .option(
      '--labels <mode>',
      `image folders: class subfolders as labels: ${LABEL_MODES.join(', ')} (default auto: only when they hold every image)`,
    )
    .option('--resize <mode>', `image folders: ${RESIZE_MODES.join(', ')} (default crop: shorter side, centre crop)`);
}

/** Turns the parsed options of addDataOptions into loadDataset's arguments (ConfigError on bad values). */
export function dataOptionsFrom(opts: DataCliOptions): { spec: string; options: LoadDatasetOptions } {
  const fn = 'contrastive';
  if (opts.data === undefined) throw new ConfigError(fn, '--data', 'must be given (a spec such as fashion-mnist or idx:./mnist)');
  const options: LoadDatasetOptions = {};
  if (opts.split !== undefined) {
    if (opts.split !== 'train' && opts.split !== 'test')
      throw new ConfigError(fn, '--split', `must be train or test, got ${JSON.stringify(opts.split)}`);
    options.split = opts.split;
  }
  if (opts.limit !== undefined) {
    const n = Number(opts.limit);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(fn, '--limit', `must be an integer >= 1, got ${JSON.stringify(opts.limit)}`);
    options.limit = n;
  }
  if (opts.imageSize !== undefined) {
    const m = /^(\d+)(?:x(\d+))?$/.exec(opts.imageSize);
    if (m === null) throw new ConfigError(fn, '--image-size', `must be N or HxW, got ${JSON.stringify(opts.imageSize)}`);
    options.imageSize = m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
  }
  if (opts.channels !== undefined) {
    if (opts.channels !== '1' && opts.channels !== '3')
      throw new ConfigError(fn, '--channels', `must be 1 or 3, got ${JSON.stringify(opts.channels)}`);
    options.channels = Number(opts.channels) as 1 | 3;
  }
  if (opts.as !== undefined) {
    if (opts.as !== 'vector' && opts.as !== 'image')
      throw new ConfigError(fn, '--as', `must be vector or image, got ${JSON.stringify(opts.as)}`);
    options.as = opts.as;
  }
  if (opts.labels !== undefined) {
    if (!(LABEL_MODES as readonly string[]).includes(opts.labels))
      throw new ConfigError(fn, '--labels', `must be one of ${LABEL_MODES.join(', ')}, got ${JSON.stringify(opts.labels)}`);
    options.folderLabels = opts.labels as LabelMode;
  }
  if (opts.resize !== undefined) {
    if (!(RESIZE_MODES as readonly string[]).includes(opts.resize))
      throw new ConfigError(fn, '--resize', `must be one of ${RESIZE_MODES.join(', ')}, got ${JSON.stringify(opts.resize)}`);
    options.resize = opts.resize as ResizeMode;
  }
  return { spec: opts.data, options };
}

/** Loads the data named by a command's addDataOptions options. */
export async function loadDataFromOptions(opts: DataCliOptions): Promise<Dataset> {
  const { spec, options } = dataOptionsFrom(opts);
  return loadDataset(spec, { ...options, log: (l) => process.stderr.write(l + '\n') });
}

function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((a, n) => a + sizeOf(join(path, n)), 0);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** What `contrastive data list` reports: each dataset, where it is (or that it is absent). */
export interface DataInventory {
  bundled: { name: string; path: string; present: boolean; bytes?: number; description: string; license: string }[];
  sharedFolders: { path: string; from: string; present: boolean; chosen: boolean }[];
  /** Sub-folders of the chosen shared data folder. */
  sharedContents?: string[];
  shared: { name: string; path?: string }[];
  downloadable: { name: string; path?: string; license: string }[];
  downloadDir: string;
  formats: readonly string[];
}

/** Looks up every dataset of the catalog on this machine. */
export function dataInventory(): DataInventory {
  const bundled = Object.values(CATALOG)
    .filter((e) => e.source === 'bundled')
    .map((e) => {
      const path = e.locations()[0]!;
      const present = existsSync(path);
      return { name: e.name, path, present, ...(present ? { bytes: sizeOf(path) } : {}), description: e.description, license: e.license };
    });
  const candidates = sharedDataCandidates();
  const found = candidates.find((c) => existsSync(c.path));
  const sharedFolders = candidates.map((c) => ({ ...c, present: existsSync(c.path), chosen: c === found }));
  const at = (e: (typeof CATALOG)[keyof typeof CATALOG]): string | undefined => e.locations().find((p) => existsSync(p));
  const shared = Object.values(CATALOG)
    .filter((e) => e.source === 'shared')
    .map((e) => ({ name: e.name, ...(at(e) !== undefined ? { path: at(e) } : {}) }));
  const downloadable = DOWNLOAD_NAMES.map((name) => ({
    name,
    ...(at(CATALOG[name]) !== undefined ? { path: at(CATALOG[name]) } : {}),
    license: CATALOG[name].license,
  }));
  return {
    bundled,
    sharedFolders,
    ...(found !== undefined ? { sharedContents: readdirSync(found.path).filter((n) => statSync(join(found.path, n)).isDirectory()) } : {}),
    shared,
    downloadable,
    downloadDir: downloadCacheDir(),
    formats: DATA_FORMATS,
  };
}

/** The text of `contrastive data list`. */
export function listText(inv: DataInventory = dataInventory()): string {
  const lines: string[] = [];
  lines.push(`Bundled (in ${bundledDataDir()}):`);
  for (const e of inv.bundled) {
    const hint = DOWNLOAD_NAMES.includes(e.name as never) ? ` (\`contrastive data download ${e.name}\`)` : '';
    lines.push(`  ${e.name.padEnd(15)} ${e.present ? `${e.path} (${mb(e.bytes!)})` : `not in this install: ${e.path}${hint}`}`);
    lines.push(`  ${''.padEnd(15)} ${e.description}; ${e.license}`);
  }
  lines.push('', 'Shared data folder (looked for in this order):');
  for (const c of inv.sharedFolders) lines.push(`  ${c.chosen ? '*' : ' '} ${c.path}  (${c.from}${c.present ? '' : ', absent'})`);
  if (inv.sharedContents !== undefined) lines.push(`  contains: ${inv.sharedContents.join(', ') || 'nothing'}`);
  else lines.push('  none found: set CONTRASTIVE_DATA to use the CIFAR-10 subset, FSDD and UCR sets');
  for (const e of inv.shared) lines.push(`  ${e.name.padEnd(15)} ${e.path ?? 'absent'}`);
  lines.push('', `Downloadable (\`contrastive data download <name>\`, default folder ${inv.downloadDir}):`);
  for (const e of inv.downloadable)
    lines.push(`  ${e.name.padEnd(15)} ${e.path !== undefined ? `available: ${e.path}` : 'not downloaded'}; ${e.license}`);
  lines.push('', `Any other data: --data <format>:<path> with a format of ${inv.formats.join(', ')}.`);
  return lines.join('\n');
}

export function register(program: Command): void {
  const data = program.command('data').description('list, download and inspect datasets');

  data
    .command('list')
    .description('show the bundled datasets, the shared data folder and what can be downloaded')
    .option('--json', 'print one JSON object instead of text')
    .action((opts: { json?: boolean }) => {
      console.log(opts.json === true ? JSON.stringify(dataInventory()) : listText());
    });

  data
    .command('download')
    .description(`download a public dataset with SHA-256 checks (${DOWNLOAD_NAMES.join(', ')})`)
    .argument('<name>', DOWNLOAD_NAMES.join(' | '))
    .option('--dir <folder>', `target folder (default ${downloadCacheDir()}/<name>)`)
    .action(async (name: string, opts: { dir?: string }) => {
      const res = await downloadDataset(name, { ...(opts.dir !== undefined ? { dir: opts.dir } : {}), log: (l) => console.error(l) });
      for (const f of res.files) console.log(`${f.status.padEnd(10)} ${f.path}`);
      const spec = name === 'cifar10' ? `cifar:${join(res.dir, 'cifar-10-batches-bin')}` : `idx:${res.dir}`;
      console.error(opts.dir === undefined ? `use it with --data ${name}` : `use it with --data ${spec}`);
    });

  addDataOptions(
    data
      .command('info')
      .description('load a dataset and print its size, sample shape and classes')
      .argument('[spec]', 'the same as --data'),
  ).action(async (spec: string | undefined, opts: DataCliOptions) => {
    const ds = await loadDataFromOptions({ ...opts, ...(spec !== undefined ? { data: spec } : {}) });
    try {
      console.log(
        `${ds.name}: ${ds.size} ${ds.kind} samples of shape [${ds.sampleShape.map((d) => (d < 0 ? '*' : d)).join(', ')}], stored as ${ds.dtype}`,
      );
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
