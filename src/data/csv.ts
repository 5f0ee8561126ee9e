/**
 * CSV with the features of a sample then its label on each row: the layout of scikit-learn's
 * digits (`digits.csv.gz`: 64 pixel values 0..16 of an 8x8 image, then the digit).
 */
import type { LabelSet } from './dataset.js';
import { ArrayDataset } from './array-dataset.js';
import { labelSetFromIds, labelSetFromValues } from './label-set.js';
import { DataError } from '../errors.js';

export interface CsvOptions {
  /** Field separator. @default ',' */
  delimiter?: string;
  /**
   * Whether the first row is a header: `'auto'` treats it as one when any of its feature
   * fields is not a number. @default 'auto'
   */
  header?: boolean | 'auto';
  /** Integer labels must lie in 0..numClasses-1 (else a DataError naming the row). Without it,
   * labels are mapped to ids 0..C-1 in sorted order of their values. */
  numClasses?: number;
}

export interface CsvTable {
  /** `[rows, features]` row-major. */
  features: Float32Array;
  rows: number;
  numFeatures: number;
  labels: LabelSet;
  /** Column names, when the file has a header. */
  columns?: string[];
}

/** Parses CSV text: every data row has the same number of fields; the last is the label. */
export function parseCsv(text: string, file: string, { delimiter = ',', header = 'auto', numClasses }: CsvOptions = {}): CsvTable {
  const fn = 'parseCsv';
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new DataError(fn, file, 'is empty (no rows)');
  const firstFields = lines[0]!.split(delimiter);
  const hasHeader = header === 'auto' ? firstFields.slice(0, -1).some((f) => f.trim() === '' || !Number.isFinite(Number(f))) : header;
  const width = firstFields.length;
  if (width < 2) throw new DataError(fn, file, `must have at least 2 fields per row (features then label), row 1 has ${width}`);
  const start = hasHeader ? 1 : 0;
  const rows = lines.length - start;
  if (rows === 0) throw new DataError(fn, file, 'has a header but no data rows');
  const numFeatures = width - 1;
  const features = new Float32Array(rows * numFeatures);
  const rawLabels: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const line = lines[start + r]!;
    const fields = line.split(delimiter);
    const rowNo = start + r + 1; // 1-based line number in the file
    if (fields.length !== width) {
      throw new DataError(fn, file, `row ${rowNo}: expected ${width} fields (${numFeatures} features + label), found ${fields.length}`);
    }
    for (let j = 0; j < numFeatures; j++) {
      const f = fields[j]!.trim();
      const v = Number(f);
      if (f === '' || !Number.isFinite(v)) {
        throw new DataError(fn, file, `row ${rowNo}, column ${j + 1}: expected a number, found ${JSON.stringify(fields[j])}`);
      }
      features[r * numFeatures + j] = v;
    }
    rawLabels[r] = fields[numFeatures]!.trim();
  }
  let labels: LabelSet;
  if (numClasses !== undefined) {
    const ids = rawLabels.map((v, r) => {
      const n = Number(v);
      if (v === '' || !Number.isInteger(n)) {
        throw new DataError(fn, file, `row ${start + r + 1}: label ${JSON.stringify(v)} is not an integer class id`);
      }
      return n;
    });
    labels = labelSetFromIds(ids, numClasses, undefined, fn, file, (r) => `row ${start + r + 1}`);
  } else {
    labels = labelSetFromValues(rawLabels, fn, file);
  }
  const table: CsvTable = { features, rows, numFeatures, labels };
  if (hasHeader) table.columns = firstFields.map((f) => f.trim());
  return table;
}

export interface CsvDatasetOptions {
  name: string;
  /**
   * `'vector'`: samples `[numFeatures]` with the file's values; `'image'`: samples
   * `imageShape`, values divided by `maxValue` into [0, 1]. @default 'vector'
   */
  as?: 'vector' | 'image';
  /** Image shape when `as: 'image'`. @default square grey: [√D, √D, 1] (digits: [8, 8, 1]) */
  imageShape?: readonly number[];
  /** Largest value of a pixel when `as: 'image'`. @default 16 (sklearn digits' range 0..16) */
  maxValue?: number;
}

/** A Dataset from a parsed CSV table: feature vectors, or images (sklearn digits: 8x8x1). */
export function csvDataset(table: CsvTable, { name, as = 'vector', imageShape, maxValue = 16 }: CsvDatasetOptions): ArrayDataset {
  const fn = 'csvDataset';
  if (as === 'vector') {
    return new ArrayDataset({ name, kind: 'vector', sampleShape: [table.numFeatures], values: table.features, labels: table.labels });
  }
  const side = Math.round(Math.sqrt(table.numFeatures));
  const shape = imageShape ?? [side, side, 1];
  if (shape.reduce((a, b) => a * b, 1) !== table.numFeatures) {
    throw new DataError(fn, name, `has ${table.numFeatures} features per row, which do not fill an image of shape [${shape.join(', ')}]`);
  }
  return new ArrayDataset({ name, kind: 'image', sampleShape: shape, values: table.features, scale: 1 / maxValue, labels: table.labels });
}
