/**
 * An in-memory Dataset of sequences that may differ in length (UCR series, WAV clips held in
 * memory). Sample shape `[T, C]`; `sampleShape` is `[T, C]` when every length is T, else `[-1, C]`.
 */
import type { Batch, Dataset, LabelSet, Sample } from './dataset.js';
import { checkIndices, stackSamples } from './stack.js';
import { ConfigError } from '../errors.js';

export interface SequenceDatasetInit {
  name: string;
  /** One array per sample, time-major `[T, C]` flattened. */
  series: readonly Float32Array[];
  /** Channels per time step. @default 1 */
  channels?: number;
  labels?: LabelSet;
  extraLabels?: Record<string, LabelSet>;
  /** How values were stored at the source. @default 'float32' */
  dtype?: 'uint8' | 'int16' | 'float32';
}

export class SequenceDataset implements Dataset {
  readonly name: string;
  readonly kind = 'sequence' as const;
  readonly size: number;
  readonly sampleShape: readonly number[];
  readonly dtype: 'uint8' | 'int16' | 'float32';
  readonly labels?: LabelSet;
  readonly extraLabels?: Readonly<Record<string, LabelSet>>;
  readonly channels: number;
  private readonly series: readonly Float32Array[];

  constructor(init: SequenceDatasetInit) {
    const fn = 'SequenceDataset';
    this.channels = init.channels ?? 1;
    if (!Number.isInteger(this.channels) || this.channels < 1) {
      throw new ConfigError(fn, 'channels', `must be an integer >= 1, got ${init.channels}`);
    }
    init.series.forEach((s, i) => {
      if (s.length % this.channels !== 0) {
        throw new ConfigError(fn, 'series', `must hold whole time steps of ${this.channels} channels; sample ${i} has ${s.length} values`);
      }
    });
    this.size = init.series.length;
    for (const [what, set] of Object.entries({ labels: init.labels, ...init.extraLabels })) {
      if (set !== undefined && set.values.length !== this.size) {
        throw new ConfigError(fn, what, `must have one label per sample (${this.size}), got ${set.values.length}`);
      }
    }
    const lengths = new Set(init.series.map((s) => s.length / this.channels));
    this.sampleShape = [lengths.size === 1 ? [...lengths][0]! : -1, this.channels];
    this.name = init.name;
    this.series = init.series;
    this.dtype = init.dtype ?? 'float32';
    if (init.labels !== undefined) this.labels = init.labels;
    if (init.extraLabels !== undefined) this.extraLabels = init.extraLabels;
  }

  /** Length (time steps) of sample `index`. */
  length(index: number): number {
    return this.series[index]!.length / this.channels;
  }

  async get(index: number): Promise<Sample> {
    checkIndices([index], this.size, `${this.name}.get`);
    const s = this.series[index]!;
    return { data: s.slice(), shape: [s.length / this.channels, this.channels] };
  }

  async getBatch(indices: ArrayLike<number>): Promise<Batch> {
    checkIndices(indices, this.size, `${this.name}.getBatch`);
    const samples = Array.from(indices, (i) => {
      const s = this.series[i]!;
      return { data: s, shape: [s.length / this.channels, this.channels] };
    });
    return stackSamples(samples, indices, this.labels, `${this.name}.getBatch`);
  }
}
