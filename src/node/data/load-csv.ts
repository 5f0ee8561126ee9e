/**
 * Loading a CSV file (features then label per row; gzip allowed), e.g. sklearn's digits.csv.gz.
 */
import { basename } from 'node:path';
import { csvDataset, parseCsv, type CsvOptions } from '../../data/csv.js';
import type { ArrayDataset } from '../../data/array-dataset.js';
import { readText } from './read-bytes.js';

export interface LoadCsvOptions extends CsvOptions {
  /** `'image'` reshapes rows to `imageShape` scaled by `maxValue`. @default 'vector' */
  as?: 'vector' | 'image';
  /** @default [√D, √D, 1] */
  imageShape?: readonly number[];
  /** @default 16 (sklearn digits) */
  maxValue?: number;
  /** @default the file name without extensions */
  name?: string;
}

export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<ArrayDataset> {
  const { as = 'vector', imageShape, maxValue, name, ...csv } = options;
  const table = parseCsv(await readText(path, 'loadCsv'), path, csv);
  return csvDataset(table, {
    name: name ?? basename(path).replace(/\.(csv|tsv|txt)(\.gz)?$/, ''),
    as,
    ...(imageShape !== undefined ? { imageShape } : {}),
    ...(maxValue !== undefined ? { maxValue } : {}),
  });
}
