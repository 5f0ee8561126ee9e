/**
 * `<db>/<table>.contrastive.json`: how an index's vectors were made (the run folder, which
 * encoder, the image size and resize mode), so that `search` embeds a query image the same way
 * and `index` refuses to mix vectors of two encoders in one table.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import { writeFileAtomic } from '../run/atomic-write.js';

export type IndexEncoder = 'trained' | 'random' | 'pixels';
export const INDEX_ENCODERS: readonly IndexEncoder[] = ['trained', 'random', 'pixels'];

export interface IndexMeta {
  /** Absolute path of the run folder. */
  run: string;
  encoder: IndexEncoder;
  dim: number;
  /** The data spec indexed, and the root its ids are relative to. */
  data: string;
  root?: string;
  /** What one encoder input is: `[height, width, channels]` for images. */
  sampleShape: number[];
  resize?: string;
  classNames?: string[];
}

export const metaPath = (db: string, table: string): string => join(db, `${table}.contrastive.json`);

export async function readIndexMeta(db: string, table: string): Promise<IndexMeta | undefined> {
  const p = metaPath(db, table);
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as IndexMeta;
  } catch (err) {
    throw new DataError('readIndexMeta', p, `is not valid JSON (${(err as Error).message})`);
  }
}

export async function writeIndexMeta(db: string, table: string, meta: IndexMeta): Promise<void> {
  await writeFileAtomic(metaPath(db, table), JSON.stringify(meta, null, 2) + '\n');
}
