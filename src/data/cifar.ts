/**
 * CIFAR-10 and CIFAR-100 binary files (https://www.cs.toronto.edu/~kriz/cifar.html, "Binary
 * version"). Each record: CIFAR-10 `<label byte><3072 pixel bytes>`; CIFAR-100 `<coarse label>
 * <fine label><3072 pixel bytes>`. The pixels are three 32x32 planes R, G, B, each row-major;
 * they are converted here to HWC (`[32, 32, 3]`), the layout every image in this library has.
 */
import { ArrayDataset } from './array-dataset.js';
import { labelSetFromIds } from './label-set.js';
import { CIFAR10_CLASSES } from './class-names.js';
import { DataError } from '../errors.js';

export type CifarVariant = 10 | 100;

const SIDE = 32;
const PIXELS = SIDE * SIDE; // 1024 per plane
const IMAGE_BYTES = 3 * PIXELS; // 3072

/** Bytes per record: label byte(s) then 3072 pixel bytes. */
export function cifarRecordBytes(variant: CifarVariant): number {
  return (variant === 10 ? 1 : 2) + IMAGE_BYTES;
}

export interface CifarArrays {
  /** `[N, 32, 32, 3]` uint8, HWC. */
  images: Uint8Array;
  /** Class ids: CIFAR-10 label, CIFAR-100 fine label. */
  labels: Uint8Array;
  /** CIFAR-100 only: the 20 superclass ids. */
  coarseLabels?: Uint8Array;
  count: number;
}

/** Parses one CIFAR binary file. Labels must be < 10 (CIFAR-10), < 100 fine and < 20 coarse (CIFAR-100). */
export function parseCifar(bytes: Uint8Array, variant: CifarVariant, file: string): CifarArrays {
  const fn = 'parseCifar';
  const rec = cifarRecordBytes(variant);
  if (bytes.length === 0) throw new DataError(fn, file, 'is empty (0 bytes)');
  if (bytes.length % rec !== 0) {
    const whole = Math.floor(bytes.length / rec);
    throw new DataError(fn, file, `is truncated or not CIFAR-${variant}: its length ${bytes.length} is not a multiple of the ${rec}-byte record; record ${whole} at offset ${whole * rec} has ${bytes.length - whole * rec} bytes`);
  }
  const count = bytes.length / rec;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  const coarse = variant === 100 ? new Uint8Array(count) : undefined;
  const labelBytes = rec - IMAGE_BYTES;
  for (let i = 0; i < count; i++) {
    const at = i * rec;
    if (coarse !== undefined) {
      const c = bytes[at]!;
      if (c >= 20) throw new DataError(fn, file, `has coarse label ${c} at record ${i} (offset ${at}), outside the class range 0..19`);
      coarse[i] = c;
    }
    const label = bytes[at + labelBytes - 1]!;
    if (label >= variant) {
      throw new DataError(fn, file, `has label ${label} at record ${i} (offset ${at + labelBytes - 1}), outside the class range 0..${variant - 1}`);
    }
    labels[i] = label;
    const px = at + labelBytes;
    const out = i * IMAGE_BYTES;
    for (let p = 0; p < PIXELS; p++) {
      images[out + 3 * p] = bytes[px + p]!;
      images[out + 3 * p + 1] = bytes[px + PIXELS + p]!;
      images[out + 3 * p + 2] = bytes[px + 2 * PIXELS + p]!;
    }
  }
  return coarse === undefined ? { images, labels, count } : { images, labels, coarseLabels: coarse, count };
}

export interface CifarDatasetOptions {
  name: string;
  variant: CifarVariant;
  /** Class names. @default CIFAR-10's ten names; CIFAR-100: '0'..'99' (pass fine_label_names.txt) */
  classNames?: readonly string[];
  /** CIFAR-100 superclass names. @default '0'..'19' */
  coarseClassNames?: readonly string[];
}

/** Concatenates parsed files (data_batch_1..5) into one image Dataset scaled to [0, 1]. */
export function cifarDataset(parts: readonly CifarArrays[], options: CifarDatasetOptions): ArrayDataset {
  const { name, variant } = options;
  const count = parts.reduce((a, p) => a + p.count, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  const coarse = variant === 100 ? new Uint8Array(count) : undefined;
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * IMAGE_BYTES);
    labels.set(p.labels, at);
    if (coarse !== undefined && p.coarseLabels !== undefined) coarse.set(p.coarseLabels, at);
    at += p.count;
  }
  const classNames = options.classNames ?? (variant === 10 ? CIFAR10_CLASSES : undefined);
  const labelSet = labelSetFromIds(labels, variant, classNames, 'cifarDataset', name);
  return new ArrayDataset({
    name,
    kind: 'image',
    sampleShape: [SIDE, SIDE, 3],
    values: images,
    scale: 1 / 255,
    labels: labelSet,
    ...(coarse !== undefined ? { extraLabels: { coarse: labelSetFromIds(coarse, 20, options.coarseClassNames, 'cifarDataset', name) } } : {}),
  });
}
