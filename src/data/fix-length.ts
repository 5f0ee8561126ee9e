/**
 * Variable-length sequences (FSDD clips, padded UCR sets) made one length, so that batches stack:
 * longer samples are cropped, shorter ones padded with `padValue` at the end.
 */
import type { Batch, Dataset, Sample } from './dataset.js';
import { assertFinite, assertInteger, assertOneOf } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface FixLengthOptions {
  /** Time steps every sample gets. */
  length: number;
  /** Which part of a longer sample is kept. @default 'start' */
  crop?: 'start' | 'center' | 'end';
  /** Value written after a shorter sample. @default 0 (silence for audio) */
  padValue?: number;
}

function fix(s: Sample, length: number, crop: 'start' | 'center' | 'end', padValue: number): Sample {
  const [t, c] = s.shape as [number, number];
  const out = new Float32Array(length * c);
  if (t >= length) {
    const from = crop === 'start' ? 0 : crop === 'end' ? t - length : Math.floor((t - length) / 2);
    out.set(s.data.subarray(from * c, (from + length) * c));
  } else {
    out.set(s.data);
    out.fill(padValue, t * c);
  }
  return { data: out, shape: [length, c] };
}

/** A view of a sequence dataset whose samples all have shape `[length, C]`. */
export function fixLength(dataset: Dataset, { length, crop = 'start', padValue = 0 }: FixLengthOptions): Dataset {
  const fn = 'fixLength';
  assertInteger(length, fn, 'length');
  assertOneOf(crop, ['start', 'center', 'end'] as const, fn, 'crop');
  assertFinite(padValue, fn, 'padValue');
  if (dataset.kind !== 'sequence' || dataset.sampleShape.length !== 2) {
    throw new ConfigError(fn, 'dataset', `must hold sequences [T, C], got ${dataset.kind} samples of shape [${dataset.sampleShape.join(', ')}]`);
  }
  const c = dataset.sampleShape[1]!;
  const view: Dataset = {
    name: dataset.name,
    kind: 'sequence',
    size: dataset.size,
    sampleShape: [length, c],
    dtype: dataset.dtype,
    ...(dataset.labels !== undefined ? { labels: dataset.labels } : {}),
    ...(dataset.extraLabels !== undefined ? { extraLabels: dataset.extraLabels } : {}),
    async get(index: number): Promise<Sample> {
      return fix(await dataset.get(index), length, crop, padValue);
    },
    async getBatch(indices: ArrayLike<number>): Promise<Batch> {
      const idx = Int32Array.from(indices);
      const samples = await Promise.all(Array.from(idx, (i) => dataset.get(i)));
      const x = new Float32Array(idx.length * length * c);
      samples.forEach((s, k) => x.set(fix(s, length, crop, padValue).data, k * length * c));
      const batch: Batch = { indices: idx, x, shape: [idx.length, length, c] };
      if (dataset.labels !== undefined) {
        const l = dataset.labels.values;
        batch.labels = Int32Array.from(idx, (i) => l[i]!);
      }
      return batch;
    },
  };
  if (dataset.close !== undefined) view.close = () => dataset.close!();
  return view;
}
