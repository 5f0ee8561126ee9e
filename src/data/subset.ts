/**
 * A view of some rows of a Dataset. Its rows are numbered 0..n-1 (a memory bank sized by
 * `subset.size` addresses them); `parentIndices` maps them back.
 */
import type { Batch, Dataset, LabelSet, Sample } from './dataset.js';
import { checkIndices } from './stack.js';

export interface SubsetDataset extends Dataset {
  /** Row i of the subset is row `parentIndices[i]` of the parent. */
  readonly parentIndices: Int32Array;
  readonly parent: Dataset;
}

function pick(set: LabelSet, rows: Int32Array): LabelSet {
  return { values: Int32Array.from(rows, (i) => set.values[i]!), classNames: set.classNames };
}

/** Rows `indices` of `dataset`, in that order. `name` defaults to the parent's name. */
export function subset(dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): SubsetDataset {
  checkIndices(indices, dataset.size, 'subset');
  const rows = Int32Array.from(indices);
  const labels = dataset.labels === undefined ? undefined : pick(dataset.labels, rows);
  const extra = dataset.extraLabels === undefined
    ? undefined
    : Object.fromEntries(Object.entries(dataset.extraLabels).map(([k, v]) => [k, pick(v, rows)]));
  const view: SubsetDataset = {
    name,
    kind: dataset.kind,
    size: rows.length,
    sampleShape: dataset.sampleShape,
    dtype: dataset.dtype,
    parent: dataset,
    parentIndices: rows,
    ...(labels !== undefined ? { labels } : {}),
    ...(extra !== undefined ? { extraLabels: extra } : {}),
    async get(index: number): Promise<Sample> {
      checkIndices([index], rows.length, `${name}.get`);
      return dataset.get(rows[index]!);
    },
    async getBatch(batchIndices: ArrayLike<number>): Promise<Batch> {
      checkIndices(batchIndices, rows.length, `${name}.getBatch`);
      const local = Int32Array.from(batchIndices);
      const b = await dataset.getBatch(Int32Array.from(local, (i) => rows[i]!));
      const out: Batch = { indices: local, x: b.x, shape: b.shape };
      if (labels !== undefined) out.labels = Int32Array.from(local, (i) => labels.values[i]!);
      return out;
    },
  };
  if (dataset.close !== undefined) view.close = () => dataset.close!();
  return view;
}
