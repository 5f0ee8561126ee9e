/**
 * Loading a UCR 2018 dataset: a folder `<Name>/` with `<Name>_TRAIN.tsv` and `<Name>_TEST.tsv`,
 * or one of those files. Class ids come from the label values of both files together (sorted),
 * so that train and test number the classes the same way.
 */
import { basename, dirname, join } from 'node:path';
import { parseUcr, ucrDataset } from '../../data/ucr.js';
import { distinctLabelValues } from '../../data/label-set.js';
import type { SequenceDataset } from '../../data/sequence-dataset.js';
import { DataError } from '../../errors.js';
import { listDir, pathKind, readText } from './read-bytes.js';

export interface LoadUcrOptions {
  /** @default 'train' */
  split?: 'train' | 'test';
  /** @default `<Name>:<split>` */
  name?: string;
}

function findSplit(names: string[], split: 'TRAIN' | 'TEST'): string | undefined {
  return names.find((n) => new RegExp(`_${split}\\.(tsv|txt|csv)(\\.gz)?$`).test(n));
}

export async function loadUcr(path: string, { split = 'train', name }: LoadUcrOptions = {}): Promise<SequenceDataset> {
  const fn = 'loadUcr';
  const kind = await pathKind(path);
  if (kind === undefined) throw new DataError(fn, path, 'does not exist');
  const dir = kind === 'dir' ? path : dirname(path);
  const names = await listDir(dir, fn);
  const want = split === 'test' ? 'TEST' : 'TRAIN';
  let file: string;
  if (kind === 'dir') {
    const f = findSplit(names, want);
    if (f === undefined) throw new DataError(fn, path, `has no <Name>_${want}.tsv for split '${split}' (found: ${names.join(', ') || 'nothing'})`);
    file = join(dir, f);
  } else {
    file = path;
  }
  const table = parseUcr(await readText(file, fn), file);
  // The other split's labels (when present) complete the class list.
  const otherName = findSplit(names, want === 'TRAIN' ? 'TEST' : 'TRAIN');
  const other = kind === 'dir' && otherName !== undefined ? parseUcr(await readText(join(dir, otherName), fn), join(dir, otherName)).labels : [];
  const classValues = distinctLabelValues([...table.labels, ...other]);
  const dsName = name ?? `${basename(file).replace(/_(TRAIN|TEST)\..*$/, '')}:${kind === 'dir' ? split : /_TEST\./.test(file) ? 'test' : 'train'}`;
  return ucrDataset(table, { name: dsName, classValues });
}
