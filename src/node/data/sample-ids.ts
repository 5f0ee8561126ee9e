/**
 * Identities of a dataset's samples: for an image folder (or a subset of one) each sample's path
 * relative to the data root, else its row number. Also which rows turned out unreadable, and
 * `skipped.txt`, the list of files left out of a run.
 */
import type { Dataset } from '../../data/dataset.js';
import type { SubsetDataset } from '../../data/subset.js';
import type { ImageFolderDataset } from './image-folder.js';
import type { SkippedFile } from './list-images.js';
import { writeFileAtomic } from '../run/atomic-write.js';

function unwrap(ds: Dataset): { folder?: ImageFolderDataset; rows?: Int32Array } {
  let rows: Int32Array | undefined;
  let cur: Dataset = ds;
  while ('parentIndices' in cur && 'parent' in cur) {
    const s = cur as SubsetDataset;
    rows = rows === undefined ? s.parentIndices : Int32Array.from(rows, (i) => s.parentIndices[i]!);
    cur = s.parent;
  }
  if ('ids' in cur && 'files' in cur && 'skipped' in cur) return { folder: cur as ImageFolderDataset, ...(rows !== undefined ? { rows } : {}) };
  return {};
}

export interface SampleIds {
  /** One id per sample: path relative to the data root, or the row number as text. */
  ids: string[];
  /** Absolute file paths when the data is an image folder. */
  paths?: string[];
  /** The image folder's root. */
  root?: string;
}

export function sampleIds(ds: Dataset): SampleIds {
  const { folder, rows } = unwrap(ds);
  if (folder === undefined) return { ids: Array.from({ length: ds.size }, (_, i) => String(i)) };
  const pick = <T>(all: readonly T[]): T[] => (rows === undefined ? [...all] : Array.from(rows, (i) => all[i]!));
  return { ids: pick(folder.ids), paths: pick(folder.files), root: folder.root };
}

/** Rows of `ds` whose file could not be decoded (so far). */
export function unreadableRows(ds: Dataset): Set<number> {
  const { folder, rows } = unwrap(ds);
  if (folder === undefined || folder.unreadable.size === 0) return new Set();
  if (rows === undefined) return new Set(folder.unreadable);
  const out = new Set<number>();
  rows.forEach((r, i) => {
    if (folder.unreadable.has(r)) out.add(i);
  });
  return out;
}

/** The files an image folder left out (empty for other data). */
export function skippedFiles(ds: Dataset): SkippedFile[] {
  return unwrap(ds).folder?.skipped ?? [];
}

/** Writes `<id>\t<reason>` lines to `file` (atomically) when any file was skipped; returns the count. */
export async function writeSkipped(file: string, ds: Dataset): Promise<number> {
  const list = skippedFiles(ds);
  if (list.length === 0) return 0;
  await writeFileAtomic(file, list.map((s) => `${s.id}\t${s.reason}`).join('\n') + '\n');
  return list.length;
}
