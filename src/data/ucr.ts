/**
 * UCR Time Series Archive 2018 TSV (Dau et al. 2019, https://www.cs.ucr.edu/~eamonn/time_series_data_2018/):
 * one series per line, the class label then the values, tab-separated (older copies use commas).
 * Variable-length sets are padded with NaN at the end: those trailing NaNs are dropped and the
 * series keeps its real length. A NaN followed by a number is a DataError.
 */
import { SequenceDataset } from './sequence-dataset.js';
import { distinctLabelValues, labelSetFromValues } from './label-set.js';
import { DataError } from '../errors.js';

export interface UcrTable {
  /** The label of each series as written in the file (`-1`, `1`, `1.0000000e+00`, ...). */
  labels: number[];
  /** Each series without its trailing NaN padding. */
  series: Float32Array[];
}

/** Parses one UCR `_TRAIN.tsv` / `_TEST.tsv` text. */
export function parseUcr(text: string, file: string): UcrTable {
  const fn = 'parseUcr';
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new DataError(fn, file, 'is empty (no series)');
  const labels: number[] = [];
  const series: Float32Array[] = [];
  lines.forEach((line, r) => {
    const row = r + 1;
    const fields = line.trim().split(/\s*[\t,]\s*|\s+/);
    const label = Number(fields[0]);
    if (fields[0]!.trim() === '' || !Number.isFinite(label)) {
      throw new DataError(fn, file, `row ${row}, column 1: expected a numeric class label, found ${JSON.stringify(fields[0])}`);
    }
    if (fields.length < 2) throw new DataError(fn, file, `row ${row}: expected a label then at least one value, found ${fields.length} field(s)`);
    const values = new Float32Array(fields.length - 1);
    let length = values.length;
    for (let j = 1; j < fields.length; j++) {
      const f = fields[j]!.trim();
      const v = f.toLowerCase() === 'nan' ? NaN : Number(f);
      if (f === '' || (Number.isNaN(v) && f.toLowerCase() !== 'nan') || !(Number.isFinite(v) || Number.isNaN(v))) {
        throw new DataError(fn, file, `row ${row}, column ${j + 1}: expected a number or NaN, found ${JSON.stringify(fields[j])}`);
      }
      if (Number.isNaN(v)) {
        if (length === values.length) length = j - 1;
      } else if (length < values.length) {
        throw new DataError(fn, file, `row ${row}, column ${j + 1}: a value follows a NaN at column ${length + 2}; only trailing NaN padding (variable length) is supported`);
      }
      values[j - 1] = v;
    }
    if (length === 0) throw new DataError(fn, file, `row ${row}: the series has no values (all NaN)`);
    labels.push(label);
    series.push(length === values.length ? values : values.slice(0, length));
  });
  return { labels, series };
}

export interface UcrDatasetOptions {
  name: string;
  /**
   * The label values of all classes, sorted; class id c is `classValues[c]`. Pass the values of
   * TRAIN and TEST together so both splits number the classes the same way.
   * @default the distinct labels of this table
   */
  classValues?: readonly string[];
}

/** A sequence Dataset (`[T, 1]`, T = -1 when lengths vary) with labels remapped to 0..C-1. */
export function ucrDataset(table: UcrTable, { name, classValues }: UcrDatasetOptions): SequenceDataset {
  const names = classValues ?? distinctLabelValues(table.labels);
  const labels = labelSetFromValues(table.labels.map(String), 'ucrDataset', name, names);
  return new SequenceDataset({ name, series: table.series, channels: 1, labels });
}
