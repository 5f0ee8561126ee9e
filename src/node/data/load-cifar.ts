/**
 * Loading CIFAR-10 / CIFAR-100 binary files from a folder or one file.
 * Split rule: in a folder, every `.bin` file whose name contains `test` is the test split
 * (`test_batch.bin`, `test.bin`, `test_first1000.bin`) and every other `.bin` file is the train
 * split (`data_batch_1..5.bin`, `train.bin`, `train_first4000.bin`), in sorted name order.
 * Variant: CIFAR-100 when the folder has `fine_label_names.txt` or the file sizes are whole
 * numbers of 3074-byte records and not of 3073-byte ones; else CIFAR-10.
 */
import { basename, dirname, join } from 'node:path';
import { cifarDataset, cifarRecordBytes, parseCifar, type CifarVariant } from '../../data/cifar.js';
import type { ArrayDataset } from '../../data/array-dataset.js';
import { DataError } from '../../errors.js';
import { listDir, pathKind, readBytes, readText } from './read-bytes.js';

export interface LoadCifarOptions {
  /** @default 'train' */
  split?: 'train' | 'test';
  /** 10 or 100. @default detected (see above) */
  variant?: CifarVariant;
  /** @default `<folder name>:<split>` */
  name?: string;
}

async function namesFile(dir: string, file: string): Promise<string[] | undefined> {
  if ((await pathKind(join(dir, file))) !== 'file') return undefined;
  const names = (await readText(join(dir, file), 'loadCifar')).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  return names;
}

export async function loadCifar(path: string, { split = 'train', variant, name }: LoadCifarOptions = {}): Promise<ArrayDataset> {
  const fn = 'loadCifar';
  const kind = await pathKind(path);
  if (kind === undefined) throw new DataError(fn, path, 'does not exist');
  const dir = kind === 'dir' ? path : dirname(path);
  let files: string[];
  if (kind === 'dir') {
    const bins = (await listDir(path, fn)).filter((n) => n.endsWith('.bin'));
    files = bins.filter((n) => n.includes('test') === (split === 'test')).map((n) => join(path, n));
    if (files.length === 0) {
      throw new DataError(fn, path, `has no .bin files for split '${split}' (rule: names containing 'test' are the test split; found: ${bins.join(', ') || 'no .bin files'})`);
    }
  } else {
    files = [path];
  }
  const blobs = await Promise.all(files.map((f) => readBytes(f, fn)));
  let v: CifarVariant | undefined = variant;
  if (v === undefined) {
    const fine = await namesFile(dir, 'fine_label_names.txt');
    const fits = (n: CifarVariant): boolean => blobs.every((b) => b.length % cifarRecordBytes(n) === 0);
    v = fine !== undefined || (fits(100) && !fits(10)) ? 100 : 10;
  }
  const parts = blobs.map((b, i) => parseCifar(b, v!, files[i]!));
  const classNames = v === 100 ? await namesFile(dir, 'fine_label_names.txt') : await namesFile(dir, 'batches.meta.txt');
  const coarse = v === 100 ? await namesFile(dir, 'coarse_label_names.txt') : undefined;
  return cifarDataset(parts, {
    name: name ?? `${basename(dir)}:${split}`,
    variant: v,
    ...(classNames !== undefined && classNames.length === v ? { classNames } : {}),
    ...(coarse !== undefined && coarse.length === 20 ? { coarseClassNames: coarse } : {}),
  });
}
