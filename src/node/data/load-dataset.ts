/**
 * `loadDataset(spec, options)`: the one entry point behind `--data`, `--split` and `--limit`.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { subset } from '../../data/subset.js';
import { stratifiedLimit } from '../../data/stratified-limit.js';
import { DIGIT_CLASSES, FASHION_MNIST_CLASSES } from '../../data/class-names.js';
import type { CifarVariant } from '../../data/cifar.js';
import { ConfigError, DataError } from '../../errors.js';
import { assertInteger, assertOneOf } from '../../validate.js';
import { CATALOG } from './catalog.js';
import { parseDataSpec, type DataSpec } from './data-spec.js';
import { sharedDataDir } from './paths.js';
import { DOWNLOAD_NAMES } from './download.js';
import { loadIdx } from './load-idx.js';
import { loadCifar } from './load-cifar.js';
import { loadCsv } from './load-csv.js';
import { loadUcr } from './load-ucr.js';
import { loadWavFolder } from './wav-folder.js';
import { loadImageFolder } from './image-folder.js';
import type { LabelMode } from './list-images.js';
import type { ResizeMode } from './decode-pool.js';
import { loadNpy } from './npy-file.js';

export interface LoadDatasetOptions {
  /**
   * Which split: IDX `train-*`/`t10k-*`, UCR `_TRAIN`/`_TEST`, CIFAR files with `test` in the
   * name, FSDD index 0-4 = test, image folders `train/`/`test/`. For WAV folders the split is
   * applied only when given. @default 'train'
   */
  split?: 'train' | 'test';
  /** Keep the first N samples, the same share of every class where there are labels. */
  limit?: number;
  /** Image folders: output `[height, width]` or a square side. @default 32 */
  imageSize?: number | readonly [number, number];
  /** Image folders: 1 grey, 3 RGB. @default 3 */
  channels?: 1 | 3;
  /** CSV (and `digits`): vectors, or images scaled to [0, 1]. @default 'vector' */
  as?: 'vector' | 'image';
  /** `.npy`: a second .npy with the class id of each row. */
  labels?: string;
  /** WAV folders: file-name pattern. @default '{digit}_{speaker}_{index}.wav' */
  pattern?: string;
  /** CIFAR: 10 or 100. @default detected */
  variant?: CifarVariant;
  /** Image folders: decoding threads. @default one less than the cores, 1..4 */
  workers?: number;
  /** Image folders: class subfolders as labels (`auto`: when they hold every image). @default 'auto' */
  folderLabels?: LabelMode;
  /** Image folders: `crop` (aspect ratio kept, centre crop), `pad` or `fill`. @default 'crop' */
  resize?: ResizeMode;
  /** Image folders: where the line saying whether subfolders are classes goes. @default nowhere */
  log?: (line: string) => void;
}

/**
 * A path as given, else relative to the shared data folder (`ucr:ECG200` also tries
 * `<shared>/ucr2018/ECG200`).
 */
export function resolveDataPath(path: string, format: string): string {
  if (isAbsolute(path) || existsSync(path)) return resolve(path);
  const shared = sharedDataDir();
  const tries = shared === undefined ? [] : [join(shared, path), ...(format === 'ucr' ? [join(shared, 'ucr2018', path)] : [])];
  const found = tries.find((p) => existsSync(p));
  if (found !== undefined) return found;
  throw new DataError('loadDataset', path, `does not exist (looked in: ${[resolve(path), ...tries].join(', ')})`);
}

function locate(name: keyof typeof CATALOG): string {
  const entry = CATALOG[name];
  const tries = entry.locations();
  const found = tries.find((p) => existsSync(p));
  if (found !== undefined) return found;
  const hint = entry.source === 'download'
    ? `run \`contrastive data download ${name}\``
    : entry.source === 'shared'
      ? 'set CONTRASTIVE_DATA to the shared data folder'
      : (DOWNLOAD_NAMES as string[]).includes(name)
        ? `this install does not bundle it: run \`contrastive data download ${name}\``
        : 'the bundled copy is missing from this install';
  throw new DataError('loadDataset', name, `was not found (looked in: ${tries.join(', ') || 'no shared data folder'}); ${hint}`);
}

async function loadSpec(spec: DataSpec, o: LoadDatasetOptions): Promise<Dataset> {
  const split = o.split ?? 'train';
  if (spec.kind === 'named') {
    const path = locate(spec.name);
    switch (spec.name) {
      case 'fashion-mnist':
        return loadIdx(path, { split, classNames: FASHION_MNIST_CLASSES, name: `fashion-mnist:${split}` });
      case 'mnist':
        return loadIdx(path, { split, classNames: DIGIT_CLASSES, name: `mnist:${split}` });
      case 'digits':
        if (split === 'test') throw new ConfigError('loadDataset', 'split', "must be 'train' (or absent) for 'digits': the sklearn digits set has no test split");
        return loadCsv(path, { numClasses: 10, as: o.as ?? 'vector', maxValue: 16, name: 'digits' });
      case 'cifar10':
        return loadCifar(path, { split, variant: 10, name: `cifar10:${split}` });
      case 'cifar10-subset':
        return loadCifar(path, { split, variant: 10, name: `cifar10-subset:${split}` });
      case 'fsdd':
        return loadWavFolder(path, { split, name: `fsdd:${split}` });
    }
  }
  const path = resolveDataPath(spec.path, spec.format);
  if ((spec.format === 'csv' || spec.format === 'npy') && o.split === 'test') {
    throw new ConfigError('loadDataset', 'split', `must be 'train' (or absent) for ${spec.format} data: one file has no split; name the test file as its own --data`);
  }
  switch (spec.format) {
    case 'idx':
      return loadIdx(path, { split });
    case 'cifar':
      return loadCifar(path, { split, ...(o.variant !== undefined ? { variant: o.variant } : {}) });
    case 'csv':
      return loadCsv(path, { as: o.as ?? 'vector' });
    case 'ucr':
      return loadUcr(path, { split });
    case 'wav':
      return loadWavFolder(path, { ...(o.split !== undefined ? { split: o.split } : {}), ...(o.pattern !== undefined ? { pattern: o.pattern } : {}) });
    case 'folder':
      return loadImageFolder(path, {
        ...(o.split !== undefined ? { split: o.split } : {}),
        ...(o.imageSize !== undefined ? { imageSize: o.imageSize } : {}),
        ...(o.channels !== undefined ? { channels: o.channels } : {}),
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        ...(o.folderLabels !== undefined ? { labels: o.folderLabels } : {}),
        ...(o.resize !== undefined ? { resize: o.resize } : {}),
        ...(o.log !== undefined ? { log: o.log } : {}),
      });
    case 'npy':
      return loadNpy(path, o.labels !== undefined ? { labels: resolveDataPath(o.labels, 'npy') } : {});
  }
}

/** Loads the data named by `spec` (`'fashion-mnist'`, `'idx:path'`, ...); see LoadDatasetOptions. */
export async function loadDataset(spec: string | DataSpec, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const fn = 'loadDataset';
  const parsed = typeof spec === 'string' ? parseDataSpec(spec) : spec;
  if (options.split !== undefined) assertOneOf(options.split, ['train', 'test'] as const, fn, 'split');
  if (options.limit !== undefined) assertInteger(options.limit, fn, 'limit');
  const ds = await loadSpec(parsed, options);
  if (options.limit === undefined || options.limit >= ds.size) return ds;
  const rows = ds.labels === undefined ? Int32Array.from({ length: options.limit }, (_, i) => i) : stratifiedLimit(ds.labels.values, options.limit);
  return subset(ds, rows, ds.name);
}
