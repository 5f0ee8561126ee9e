/**
 * Loading IDX datasets (MNIST, Fashion-MNIST) from a folder holding
 * `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]` and the `t10k-*` pair, or from
 * one images file (its labels file is found by name: `images-idx3` -> `labels-idx1`).
 */
import { basename, dirname, join } from 'node:path';
import { idxDataset, parseIdx } from '../../data/idx.js';
import type { ArrayDataset } from '../../data/array-dataset.js';
import { DataError } from '../../errors.js';
import { listDir, pathKind, readBytes } from './read-bytes.js';

export interface LoadIdxOptions {
  /** `train`: `train-*` files; `test`: `t10k-*` files. @default 'train' */
  split?: 'train' | 'test';
  /** @default 10 */
  numClasses?: number;
  classNames?: readonly string[];
  /** @default `<folder name>:<split>` */
  name?: string;
}

/** Finds `<prefix>-<kind>-ubyte` (raw or .gz) in `names`. */
function pick(names: string[], prefix: string, kind: 'images-idx3' | 'labels-idx1'): string | undefined {
  const want = `${prefix}-${kind}-ubyte`;
  return names.find((n) => n === want || n === `${want}.gz`) ?? names.find((n) => n.startsWith(want));
}

export async function loadIdx(path: string, { split = 'train', numClasses = 10, classNames, name }: LoadIdxOptions = {}): Promise<ArrayDataset> {
  const fn = 'loadIdx';
  const kind = await pathKind(path);
  let imagesPath: string;
  let labelsPath: string | undefined;
  if (kind === 'dir') {
    const names = await listDir(path, fn);
    const prefix = split === 'test' ? 't10k' : 'train';
    const images = pick(names, prefix, 'images-idx3');
    if (images === undefined) {
      throw new DataError(fn, path, `has no ${prefix}-images-idx3-ubyte[.gz] for split '${split}' (found: ${names.join(', ') || 'nothing'})`);
    }
    imagesPath = join(path, images);
    const labels = pick(names, prefix, 'labels-idx1');
    labelsPath = labels === undefined ? undefined : join(path, labels);
  } else if (kind === 'file') {
    imagesPath = path;
    const guess = basename(path).replace('images-idx3', 'labels-idx1');
    if (guess !== basename(path) && (await pathKind(join(dirname(path), guess))) === 'file') labelsPath = join(dirname(path), guess);
  } else {
    throw new DataError(fn, path, 'does not exist');
  }
  const [images, labels] = await Promise.all([
    readBytes(imagesPath, fn).then((b) => parseIdx(b, imagesPath)),
    labelsPath === undefined ? undefined : readBytes(labelsPath, fn).then((b) => parseIdx(b, labelsPath!)),
  ]);
  const dsName = name ?? `${basename(kind === 'dir' ? path : dirname(path))}:${split}`;
  return idxDataset(images, labels, {
    name: dsName,
    numClasses,
    imagesFile: imagesPath,
    ...(labelsPath !== undefined ? { labelsFile: labelsPath } : {}),
    ...(classNames !== undefined ? { classNames } : {}),
  });
}
