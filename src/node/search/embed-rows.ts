/**
 * Embeds a dataset into rows that carry their identity: id (path relative to the data root for
 * image folders, else the row number), file path, int32 label where there are labels, vector.
 * Rows whose image turned out unreadable are dropped (and counted), never embedded as a stand-in.
 */
import * as tf from '../../tf.js';
import type { Dataset } from '../../data/dataset.js';
import { embedDataset, rawFeatures } from '../../eval/dataset-features.js';
import { sampleIds, unreadableRows } from '../data/sample-ids.js';

/** What turns samples into vectors: a saved encoder, a method's `embed`, or the raw samples. */
export type RowEncoder = tf.LayersModel | { embed(x: tf.Tensor): tf.Tensor2D } | 'pixels';

export interface EmbeddedRows {
  ids: string[];
  /** Absolute file paths (image folders). */
  paths?: string[];
  /** Class id per row, when the data has labels. */
  labels?: Int32Array;
  classNames?: string[];
  /** Row-major `[ids.length, dim]`. */
  vectors: Float32Array;
  dim: number;
  /** Rows left out because their file could not be decoded. */
  dropped: number;
}

/** Embeds every sample of `data` with `encoder` (batches of `batchSize`). */
export async function embedRows(encoder: RowEncoder, data: Dataset, batchSize = 256): Promise<EmbeddedRows> {
  const { data: h, dim } = encoder === 'pixels' ? await rawFeatures(data, batchSize) : await embedDataset(encoder, data, batchSize);
  const bad = unreadableRows(data);
  const { ids, paths } = sampleIds(data);
  const keep = Int32Array.from({ length: data.size }, (_, i) => i).filter((i) => !bad.has(i));
  const vectors = new Float32Array(keep.length * dim);
  keep.forEach((r, k) => vectors.set(h.subarray(r * dim, (r + 1) * dim), k * dim));
  const labels = data.labels?.values;
  return {
    ids: Array.from(keep, (i) => ids[i]!),
    ...(paths !== undefined ? { paths: Array.from(keep, (i) => paths[i]!) } : {}),
    ...(labels !== undefined ? { labels: Int32Array.from(keep, (i) => labels[i]!), classNames: data.labels!.classNames } : {}),
    vectors,
    dim,
    dropped: bad.size,
  };
}
