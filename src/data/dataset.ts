/**
 * The one shape every data source takes. Loaders (one per format) produce a `Dataset`; the
 * trainer, the methods and the evaluation only see this interface.
 */

/** What a sample is; methods and augmentations choose by it. */
export type SampleKind = 'image' | 'sequence' | 'vector';

/** One sample: values as float32 (images scaled to [0, 1]) and its shape. */
export interface Sample {
  data: Float32Array;
  /** Images `[H, W, C]`; sequences `[T, C]`; vectors `[D]`. */
  shape: number[];
}

/** Samples stacked along a new first axis. */
export interface Batch {
  /** Index of each row in the dataset (memory banks address rows by it). */
  indices: Int32Array;
  /** Values, row-major, `[B, ...sampleShape]`. */
  x: Float32Array;
  shape: number[];
  /** Class ids of the rows, where the dataset has labels. */
  labels?: Int32Array;
}

/** Class ids 0..C-1 per sample and the names of the classes. */
export interface LabelSet {
  values: Int32Array;
  classNames: string[];
}

export interface Dataset {
  /** A short name for logs and reports (`fashion-mnist:train`). */
  readonly name: string;
  readonly kind: SampleKind;
  /** Number of samples. */
  readonly size: number;
  /** Shape of one sample; `-1` where it varies (sequence lengths). */
  readonly sampleShape: readonly number[];
  /** How values are stored at the source (`get` always returns float32). */
  readonly dtype: 'uint8' | 'int16' | 'float32';
  /** Class labels, where the data has them. */
  readonly labels?: LabelSet;
  /** More label sets by name (FSDD: `speaker`). */
  readonly extraLabels?: Readonly<Record<string, LabelSet>>;
  /** One sample. */
  get(index: number): Promise<Sample>;
  /** Several samples stacked; they must share one shape (crop or pad variable sequences first). */
  getBatch(indices: ArrayLike<number>): Promise<Batch>;
  /**
   * Releases what the dataset holds open (decoding worker threads of a streaming folder).
   * Optional: in-memory datasets have nothing to release. Safe to call twice.
   */
  close?(): Promise<void>;
}
