/**
 * An in-memory Dataset over one typed array of fixed-shape samples (IDX, CIFAR, CSV, .npy).
 * Values stay in their source type (uint8 images take a quarter of the memory of float32) and
 * become float32 on access: `value * scale + offset`.
 */
import type { Batch, Dataset, LabelSet, Sample, SampleKind } from './dataset.js';
import { checkIndices } from './stack.js';
import { ConfigError } from '../errors.js';

export interface ArrayDatasetInit {
  /** Name for logs (`fashion-mnist:train`). */
  name: string;
  kind: SampleKind;
  /** Shape of one sample (`[28, 28, 1]`); every entry > 0. */
  sampleShape: readonly number[];
  /** All samples, row-major, `[size, ...sampleShape]`. */
  values: Uint8Array | Int16Array | Float32Array;
  /** float value = stored * scale + offset. @default 1 */
  scale?: number;
  /** @default 0 */
  offset?: number;
  labels?: LabelSet;
  extraLabels?: Record<string, LabelSet>;
}

export class ArrayDataset implements Dataset {
  readonly name: string;
  readonly kind: SampleKind;
  readonly size: number;
  readonly sampleShape: readonly number[];
  readonly dtype: 'uint8' | 'int16' | 'float32';
  readonly labels?: LabelSet;
  readonly extraLabels?: Readonly<Record<string, LabelSet>>;
  /** The stored values (not scaled). */
  readonly values: Uint8Array | Int16Array | Float32Array;
  readonly scale: number;
  readonly offset: number;
  private readonly sampleSize: number;

  constructor(init: ArrayDatasetInit) {
    const fn = 'ArrayDataset';
    if (init.sampleShape.length === 0 || init.sampleShape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ConfigError(fn, 'sampleShape', `must be positive integers, got [${init.sampleShape.join(', ')}]`);
    }
    this.sampleSize = init.sampleShape.reduce((a, b) => a * b, 1);
    if (init.values.length % this.sampleSize !== 0) {
      throw new ConfigError(fn, 'values', `must hold a whole number of samples of ${this.sampleSize} values, got ${init.values.length}`);
    }
    this.size = init.values.length / this.sampleSize;
    for (const [what, set] of Object.entries({ labels: init.labels, ...init.extraLabels })) {
      if (set !== undefined && set.values.length !== this.size) {
        throw new ConfigError(fn, what, `must have one label per sample (${this.size}), got ${set.values.length}`);
      }
    }
    this.name = init.name;
    this.kind = init.kind;
    this.sampleShape = [...init.sampleShape];
    this.values = init.values;
    this.dtype = init.values instanceof Uint8Array ? 'uint8' : init.values instanceof Int16Array ? 'int16' : 'float32';
    this.scale = init.scale ?? 1;
    this.offset = init.offset ?? 0;
    if (init.labels !== undefined) this.labels = init.labels;
    if (init.extraLabels !== undefined) this.extraLabels = init.extraLabels;
  }

  /** Writes sample `index` as float32 into `out` at `at`. */
  private copyInto(index: number, out: Float32Array, at: number): void {
    const n = this.sampleSize;
    const src = this.values;
    const base = index * n;
    const { scale, offset } = this;
    if (scale === 1 && offset === 0) {
      if (src instanceof Float32Array) out.set(src.subarray(base, base + n), at);
      else for (let j = 0; j < n; j++) out[at + j] = src[base + j]!;
      return;
    }
    for (let j = 0; j < n; j++) out[at + j] = src[base + j]! * scale + offset;
  }

  async get(index: number): Promise<Sample> {
    checkIndices([index], this.size, `${this.name}.get`);
    const data = new Float32Array(this.sampleSize);
    this.copyInto(index, data, 0);
    return { data, shape: [...this.sampleShape] };
  }

  async getBatch(indices: ArrayLike<number>): Promise<Batch> {
    return this.getBatchSync(indices);
  }

  /** getBatch without the promise (in-memory data needs no waiting). */
  getBatchSync(indices: ArrayLike<number>): Batch {
    checkIndices(indices, this.size, `${this.name}.getBatch`);
    const idx = Int32Array.from(indices);
    const x = new Float32Array(idx.length * this.sampleSize);
    idx.forEach((i, k) => this.copyInto(i, x, k * this.sampleSize));
    const batch: Batch = { indices: idx, x, shape: [idx.length, ...this.sampleShape] };
    if (this.labels !== undefined) {
      const labels = this.labels.values;
      batch.labels = Int32Array.from(idx, (i) => labels[i]!);
    }
    return batch;
  }
}
