/**
 * IDX files (MNIST, Fashion-MNIST): a big-endian header `0x00 0x00 <type> <ndims>`, `ndims`
 * uint32 sizes, then the values row-major. Format: http://yann.lecun.com/exdb/mnist/ (bottom).
 * This parser takes the raw bytes (gunzip first); `src/node/data/load-idx.ts` reads files.
 */
import type { LabelSet } from './dataset.js';
import { ArrayDataset } from './array-dataset.js';
import { labelSetFromIds } from './label-set.js';
import { DataError } from '../errors.js';

/** The type of an IDX file's values. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** IDX value types by their type byte. */
const IDX_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const satisfies Record<number, { name: IdxDtype; bytes: number }>;

export interface IdxArray {
  dtype: IdxDtype;
  /** Sizes from the header, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values; uint8 files give a Uint8Array view, other types a converted copy. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const hex = (v: number, digits = 8): string => `0x${v.toString(16).padStart(digits, '0')}`;

/** Parses an IDX file. `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fn = 'parseIdx';
  if (bytes.length === 0) throw new DataError(fn, file, 'is empty (0 bytes)');
  if (bytes.length < 4) throw new DataError(fn, file, `is truncated: the 4-byte magic number needs 4 bytes at offset 0, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const typeByte = bytes[2]!;
  const ndims = bytes[3]!;
  const type = IDX_TYPES[typeByte as keyof typeof IDX_TYPES];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndims === 0) {
    throw new DataError(fn, file, `has a wrong magic number ${hex(magic)} at offset 0: expected 0x0000TTDD with type TT in {08, 09, 0b, 0c, 0d, 0e} and DD >= 1 dimensions (MNIST images: 0x00000803, labels: 0x00000801)`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataError(fn, file, `is truncated: the header with ${ndims} dimensions needs ${headerBytes} bytes, found ${bytes.length}`);
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * type.bytes;
  const found = bytes.length - headerBytes;
  if (found !== expected) {
    const what = found < expected ? 'is truncated' : 'has trailing bytes';
    throw new DataError(fn, file, `${what}: the header says dims [${dims.join(', ')}] of ${type.name} = ${expected} data bytes after the ${headerBytes}-byte header, found ${found} (file length ${bytes.length})`);
  }
  const at = headerBytes;
  let data: IdxArray['data'];
  switch (type.name) {
    case 'uint8':
      data = bytes.subarray(at, at + count);
      break;
    case 'int8':
      data = new Int8Array(bytes.buffer, bytes.byteOffset + at, count);
      break;
    case 'int16':
      data = Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i));
      break;
    case 'int32':
      data = Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i));
      break;
    case 'float32':
      data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i));
      break;
    case 'float64':
      data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i));
      break;
  }
  return { dtype: type.name, dims, data };
}

export interface IdxDatasetOptions {
  /** Dataset name for logs. */
  name: string;
  /** Number of classes; a label outside 0..numClasses-1 is a DataError. @default 10 (MNIST, Fashion-MNIST) */
  numClasses?: number;
  /** Class names (length numClasses). @default '0'..'9' */
  classNames?: readonly string[];
  /** File names for errors. */
  imagesFile?: string;
  labelsFile?: string;
}

/**
 * An image Dataset from an IDX images array (`[N, H, W]` or `[N, H, W, C]`, uint8) and an IDX
 * labels array (`[N]`, uint8). Pixels scaled to [0, 1]; samples `[H, W, C]`.
 */
export function idxDataset(images: IdxArray, labels: IdxArray | undefined, options: IdxDatasetOptions): ArrayDataset {
  const fn = 'idxDataset';
  const { name, numClasses = 10, classNames, imagesFile = 'images', labelsFile = 'labels' } = options;
  if (images.dtype !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new DataError(fn, imagesFile, `must hold uint8 images [N, H, W] or [N, H, W, C], found ${images.dtype} [${images.dims.join(', ')}]`);
  }
  const [n, h, w, c = 1] = images.dims as [number, number, number, number?];
  let labelSet: LabelSet | undefined;
  if (labels !== undefined) {
    if (labels.dims.length !== 1 || (labels.dtype !== 'uint8' && labels.dtype !== 'int8' && labels.dtype !== 'int32')) {
      throw new DataError(fn, labelsFile, `must hold integer labels [N], found ${labels.dtype} [${labels.dims.join(', ')}]`);
    }
    if (labels.dims[0] !== n) {
      throw new DataError(fn, labelsFile, `must hold one label per image of ${imagesFile} (${n}), found ${labels.dims[0]}`);
    }
    labelSet = labelSetFromIds(labels.data, numClasses, classNames, fn, labelsFile, (i) => `item ${i} (offset ${8 + i})`);
  }
  return new ArrayDataset({
    name,
    kind: 'image',
    sampleShape: [h, w, c],
    values: images.data as Uint8Array,
    scale: 1 / 255,
    ...(labelSet !== undefined ? { labels: labelSet } : {}),
  });
}
