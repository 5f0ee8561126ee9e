/**
 * `seededSample`: a fixed random sample of a dataset's rows (at most `rows` of them, in row
 * order), the same for a given seed: what the training monitors measure the encoder on.
 */
import type { Dataset } from './dataset.js';
import { subset, type SubsetDataset } from './subset.js';
import { Rng } from '../random.js';

/** `min(rows, data.size)` rows of `data` drawn without replacement with `seed`, sorted by row. */
export function seededSample(data: Dataset, rows: number, seed: number): SubsetDataset {
  const n = Math.min(rows, data.size);
  const picked = new Rng(seed)
    .shuffle(Int32Array.from({ length: data.size }, (_, i) => i))
    .subarray(0, n)
    .slice()
    .sort();
  return subset(data, picked);
}
