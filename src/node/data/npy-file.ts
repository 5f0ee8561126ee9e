/**
 * Reading and writing `.npy` files (features, embeddings: `contrastive embed --out x.npy`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { encodeNpy, npyDataset, parseNpy, type NpyArray } from '../../data/npy.js';
import type { ArrayDataset } from '../../data/array-dataset.js';
import type { SampleKind } from '../../data/dataset.js';
import { labelSetFromIds } from '../../data/label-set.js';
import { DataError } from '../../errors.js';
import { readBytes } from './read-bytes.js';

/** Reads a .npy file (float32 or uint8, C order). */
export async function readNpy(path: string): Promise<NpyArray> {
  return parseNpy(await readBytes(path, 'readNpy'), path);
}

/** Writes `data` with `shape` as a .npy v1.0 file (creates the folder). */
export async function writeNpy(path: string, data: Float32Array | Int32Array | Uint8Array, shape: readonly number[]): Promise<void> {
  const bytes = encodeNpy(data, shape);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (err) {
    throw new DataError('writeNpy', path, `could not be written: ${(err as Error).message}`);
  }
}

export interface LoadNpyOptions {
  /** A .npy of integer class ids `[N]` (int32, uint8, or float32 holding integers). */
  labels?: string;
  /** @default by rank (see npyDataset) */
  kind?: SampleKind;
  /** @default the file name without `.npy` */
  name?: string;
}

/** A Dataset over the rows of a .npy array, with labels from a second .npy when given. */
export async function loadNpy(path: string, { labels, kind, name }: LoadNpyOptions = {}): Promise<ArrayDataset> {
  const array = await readNpy(path);
  let labelSet;
  if (labels !== undefined) {
    const l = await readNpy(labels);
    if (l.shape.length !== 1) throw new DataError('loadNpy', labels, `must hold labels of shape (N,), found (${l.shape.join(', ')})`);
    let max = -1;
    for (const v of l.data) max = Math.max(max, v);
    labelSet = labelSetFromIds(l.data, Math.max(1, max + 1), undefined, 'loadNpy', labels);
  }
  return npyDataset(array, {
    name: name ?? basename(path).replace(/\.npy$/, ''),
    ...(kind !== undefined ? { kind } : {}),
    ...(labelSet !== undefined ? { labels: labelSet } : {}),
  });
}
