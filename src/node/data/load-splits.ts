/**
 * Train and test splits of a data spec for evaluation (eval, the report): the format's own test
 * split where it has one, else a seeded 80/20 split of the train data (stratified when labelled); each capped
 * to a stratified subset.
 */
import type { Dataset } from '../../data/dataset.js';
import { subset } from '../../data/subset.js';
import { stratifiedLimit } from '../../data/stratified-limit.js';
import { stratifiedSplit } from '../../eval/stratify.js';
import { DataError } from '../../errors.js';
import { loadDataset, type LoadDatasetOptions } from './load-dataset.js';
import { Rng } from '../../random.js';

export interface LoadSplitsOptions {
  /** Cap on train rows (stratified). @default all */
  limit?: number;
  /** Cap on test rows (stratified). @default all */
  testLimit?: number;
  /** Image side the loader resizes to. @default the data's own */
  imageSize?: number;
  /** Seed of the 80/20 split of data without a test split. @default 0 */
  seed?: number;
  /** Image folders: class subfolders as labels, resize mode (a run's own, see cli/run-data.ts). */
  folderLabels?: LoadDatasetOptions['folderLabels'];
  resize?: LoadDatasetOptions['resize'];
}

/** Train and test splits of `spec`; data without a test split is split 80/20 (stratified, seeded); `log` hears about that. */
export async function loadSplits(spec: string, o: LoadSplitsOptions, log: (line: string) => void): Promise<{ train: Dataset; test: Dataset }> {
  const common = {
    ...(o.imageSize !== undefined ? { imageSize: o.imageSize } : {}),
    ...(o.folderLabels !== undefined ? { folderLabels: o.folderLabels } : {}),
    ...(o.resize !== undefined ? { resize: o.resize } : {}),
  };
  const train = await loadDataset(spec, { split: 'train', ...common });
  let test: Dataset | undefined;
  try {
    test = await loadDataset(spec, { split: 'test', ...common });
    if (test.name === train.name && test.size === train.size) test = undefined; // the format has no splits
  } catch {
    test = undefined;
  }
  let tr: Dataset = train;
  if (test === undefined) {
    if (train.size < 2) throw new DataError('eval', spec, `has ${train.size} sample: a train/test split needs at least 2`);
    let fit: Int32Array;
    let validation: Int32Array;
    if (train.labels === undefined) {
      // unlabelled: a seeded random 80/20 split
      const order = new Rng(o.seed ?? 0).shuffle(Int32Array.from({ length: train.size }, (_, i) => i));
      const nTest = Math.max(1, Math.round(train.size * 0.2));
      validation = order.slice(0, nTest).sort();
      fit = order.slice(nTest).sort();
    } else {
      ({ fit, validation } = stratifiedSplit(train.labels.values, 0.2, o.seed ?? 0));
    }
    log(`${spec} has no test split: using a ${train.labels === undefined ? 'random' : 'stratified'} 80/20 split of it (${fit.length} train, ${validation.length} test)`);
    tr = subset(train, fit, `${train.name}:train80`);
    test = subset(train, validation, `${train.name}:test20`);
  }
  const cap = async (d: Dataset, n: number | undefined): Promise<Dataset> => {
    if (n === undefined || n >= d.size) return d;
    return subset(d, d.labels === undefined ? Int32Array.from({ length: n }, (_, i) => i) : stratifiedLimit(d.labels.values, n), d.name);
  };
  return { train: await cap(tr, o.limit), test: await cap(test, o.testLimit) };
}
