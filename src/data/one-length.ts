/**
 * Sequences made one length for a run (the trainer stacks batches; evaluation and embedding crop
 * or pad to the run's length): fixed-length data as it is, variable lengths cropped (start) or
 * padded (zeros at the end) to `length`, or to the median length with `autoLength`.
 */
import type { Dataset } from './dataset.js';
import { fixLength } from './fix-length.js';
import { ConfigError } from '../errors.js';

export interface OneLengthOptions {
  /** Crop/pad every sequence to this many steps. @default the length of fixed-length data; else an error unless `autoLength` */
  length?: number;
  /** With variable lengths and no `length`: use the median length. @default false */
  autoLength?: boolean;
}

export interface OneLength {
  data: Dataset;
  length: number;
  /** The shortest sample (before cropping/padding): its index and length. */
  shortest: { index: number; length: number };
  /** Said when the median was chosen. */
  note?: string;
}

/** Length of every sample (reads each sample of a lazy dataset once). */
async function lengths(data: Dataset): Promise<Int32Array> {
  const fixed = data.sampleShape[0]!;
  if (fixed >= 0) return new Int32Array(data.size).fill(fixed);
  const out = new Int32Array(data.size);
  const withLength = data as Dataset & { length?: (i: number) => number };
  for (let i = 0; i < data.size; i++)
    out[i] = typeof withLength.length === 'function' ? withLength.length(i) : (await data.get(i)).shape[0]!;
  return out;
}

/**
 * `data` (sequences, [T, C] samples) at one length. Variable lengths without `length` (and
 * without `autoLength`) are a ConfigError of `fn` naming `--length`.
 */
export async function oneLength(data: Dataset, o: OneLengthOptions, fn = 'pretrain'): Promise<OneLength> {
  const ls = await lengths(data);
  let shortest = 0;
  ls.forEach((l, i) => {
    if (l < ls[shortest]!) shortest = i;
  });
  let length = o.length;
  let note: string | undefined;
  if (length === undefined) {
    if (data.sampleShape[0]! >= 0) length = data.sampleShape[0]!;
    else if (o.autoLength === true) {
      const sorted = Int32Array.from(ls).sort();
      length = sorted[sorted.length >> 1]!;
      note = `sequences vary in length (${sorted[0]}..${sorted[sorted.length - 1]} steps): cropping/padding every one to the median, ${length} (set --length)`;
    } else {
      throw new ConfigError(
        fn,
        '--length',
        `is needed: the sequences vary in length (sample ${shortest} has ${ls[shortest]} steps, others up to ${Math.max(...ls)}); give the length every sequence is cropped or padded to`,
      );
    }
  }
  const fixed = data.sampleShape[0] === length ? data : fixLength(data, { length });
  return { data: fixed, length, shortest: { index: shortest, length: ls[shortest]! }, ...(note !== undefined ? { note } : {}) };
}
