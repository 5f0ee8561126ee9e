/** Stacking samples into a `Batch` (shared by every Dataset implementation). */
import type { Batch, LabelSet, Sample } from './dataset.js';
import { ConfigError, ShapeError } from '../errors.js';
import { formatShape } from '../validate.js';

/**
 * Stacks `samples` (fetched for dataset rows `indices`) along a new first axis. Every sample
 * must have the same shape: variable-length sequences need cropping or padding first.
 */
export function stackSamples(samples: readonly Sample[], indices: ArrayLike<number>, labels: LabelSet | undefined, fn: string): Batch {
  const idx = Int32Array.from(indices);
  const first = samples[0];
  const shape = first === undefined ? [] : first.shape;
  const size = first === undefined ? 0 : first.data.length;
  const x = new Float32Array(size * samples.length);
  samples.forEach((s, i) => {
    if (s.shape.length !== shape.length || s.shape.some((d, k) => d !== shape[k])) {
      throw new ShapeError(fn, 'indices', `must name samples of one shape (crop or pad sequences first): sample ${idx[0]} has shape ${formatShape(shape)}, sample ${idx[i]} has ${formatShape(s.shape)}`);
    }
    x.set(s.data, i * size);
  });
  const batch: Batch = { indices: idx, x, shape: [samples.length, ...shape] };
  if (labels !== undefined) batch.labels = Int32Array.from(idx, (i) => labels.values[i]!);
  return batch;
}

/** Throws a ConfigError unless every index is an integer in [0, size). */
export function checkIndices(indices: ArrayLike<number>, size: number, fn: string): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      throw new ConfigError(fn, 'indices', `must be integers in [0, ${size}), got ${v} at position ${i}`);
    }
  }
}
