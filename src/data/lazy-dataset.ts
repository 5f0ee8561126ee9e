/**
 * A Dataset whose samples are produced on demand by an async `load(index)`: files read or
 * decoded when asked for (image folders, WAV folders). Nothing decoded is kept beyond the
 * batch being returned, and at most `concurrency` loads run at once.
 */
import type { Batch, Dataset, LabelSet, Sample, SampleKind } from './dataset.js';
import { checkIndices, stackSamples } from './stack.js';
import { ConfigError } from '../errors.js';

export interface LazyDatasetInit {
  name: string;
  kind: SampleKind;
  size: number;
  /** Shape of one sample, `-1` where it varies. */
  sampleShape: readonly number[];
  dtype: 'uint8' | 'int16' | 'float32';
  /** Produces sample `index`; errors (DataError naming the file) propagate to the caller. */
  load(index: number): Promise<Sample>;
  labels?: LabelSet;
  extraLabels?: Record<string, LabelSet>;
  /** Loads in flight at once within one getBatch. @default 8 */
  concurrency?: number;
  /** Releases resources (worker threads). */
  close?(): Promise<void>;
}

export class LazyDataset implements Dataset {
  readonly name: string;
  readonly kind: SampleKind;
  readonly size: number;
  readonly sampleShape: readonly number[];
  readonly dtype: 'uint8' | 'int16' | 'float32';
  readonly labels?: LabelSet;
  readonly extraLabels?: Readonly<Record<string, LabelSet>>;
  private readonly load: (index: number) => Promise<Sample>;
  private readonly concurrency: number;
  private readonly closeFn: (() => Promise<void>) | undefined;

  constructor(init: LazyDatasetInit) {
    const fn = 'LazyDataset';
    if (!Number.isInteger(init.size) || init.size < 0) throw new ConfigError(fn, 'size', `must be an integer >= 0, got ${init.size}`);
    for (const [what, set] of Object.entries({ labels: init.labels, ...init.extraLabels })) {
      if (set !== undefined && set.values.length !== init.size) {
        throw new ConfigError(fn, what, `must have one label per sample (${init.size}), got ${set.values.length}`);
      }
    }
    this.name = init.name;
    this.kind = init.kind;
    this.size = init.size;
    this.sampleShape = [...init.sampleShape];
    this.dtype = init.dtype;
    // called on `init`, so that a `load` written as a method keeps its `this`
    this.load = (index) => init.load(index);
    this.concurrency = init.concurrency ?? 8;
    this.closeFn = init.close === undefined ? undefined : () => init.close!();
    if (init.labels !== undefined) this.labels = init.labels;
    if (init.extraLabels !== undefined) this.extraLabels = init.extraLabels;
  }

  async get(index: number): Promise<Sample> {
    checkIndices([index], this.size, `${this.name}.get`);
    return this.load(index);
  }

  async getBatch(indices: ArrayLike<number>): Promise<Batch> {
    checkIndices(indices, this.size, `${this.name}.getBatch`);
    const idx = Array.from(indices);
    const samples = new Array<Sample>(idx.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < idx.length) {
        const k = next++;
        samples[k] = await this.load(idx[k]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, idx.length) }, lane));
    return stackSamples(samples, idx, this.labels, `${this.name}.getBatch`);
  }

  async close(): Promise<void> {
    if (this.closeFn !== undefined) await this.closeFn();
  }
}
