/**
 * NumPy `.npy` files, versions 1.0, 2.0 and 3.0
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): the magic
 * `\x93NUMPY`, major and minor version bytes, a little-endian header length (2 bytes in v1,
 * 4 in v2/v3), a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }`
 * padded with spaces and a newline, then the values. Supported: float32 (`<f4`), int32
 * (`<i4`, class ids) and uint8 (`|u1`), C order. `encodeNpy` writes v1.0 files with the header padded to 64 bytes.
 */
import type { LabelSet, SampleKind } from './dataset.js';
import { ArrayDataset } from './array-dataset.js';
import { DataError } from '../errors.js';

export interface NpyArray {
  dtype: 'float32' | 'int32' | 'uint8';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCRS: Record<string, { dtype: NpyArray['dtype']; bytes: number }> = {
  '<f4': { dtype: 'float32', bytes: 4 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '|u1': { dtype: 'uint8', bytes: 1 },
  '<u1': { dtype: 'uint8', bytes: 1 },
  '>u1': { dtype: 'uint8', bytes: 1 },
  'u1': { dtype: 'uint8', bytes: 1 },
};

/** Parses a .npy file. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const fn = 'parseNpy';
  if (bytes.length === 0) throw new DataError(fn, file, 'is empty (0 bytes)');
  if (bytes.length < 10) throw new DataError(fn, file, `is truncated: the .npy preamble needs 10 bytes, found ${bytes.length}`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) {
    const found = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(fn, file, `has a wrong magic number at offset 0: expected 93 4e 55 4d 50 59 (\\x93NUMPY), found ${found}`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) throw new DataError(fn, file, `has format version ${major}.${minor}; supported: 1.0, 2.0, 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new DataError(fn, file, `is truncated: the header length needs ${8 + lenBytes} bytes, found ${bytes.length}`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const dataAt = start + headerLen;
  if (dataAt > bytes.length) {
    throw new DataError(fn, file, `is truncated: the header declares ${headerLen} bytes at offset ${start}, only ${bytes.length - start} remain`);
  }
  const headerBytes = bytes.subarray(start, dataAt);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!header.trimStart().startsWith('{') || descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(fn, file, `has a bad header at offset ${start}: expected a dict with 'descr', 'fortran_order' and 'shape', found ${JSON.stringify(header.trim().slice(0, 120))}`);
  }
  const type = DESCRS[descr];
  if (type === undefined) {
    throw new DataError(fn, file, `has unsupported dtype '${descr}'; supported: '<f4' (float32, little-endian), '<i4' (int32) and '|u1' (uint8)`);
  }
  if (fortran === 'True') throw new DataError(fn, file, "is in Fortran order (fortran_order: True); supported: C order (save with np.ascontiguousarray)");
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = parts.map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new DataError(fn, file, `has a bad shape (${shapeText}) in its header: expected non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * type.bytes;
  const found = bytes.length - dataAt;
  if (found !== expected) {
    const what = found < expected ? 'is truncated' : 'has trailing bytes';
    throw new DataError(fn, file, `${what}: shape (${shape.join(', ')}) of ${type.dtype} needs ${expected} data bytes after offset ${dataAt}, found ${found}`);
  }
  // Copy: the data offset need not be aligned for a Float32Array view.
  const raw = bytes.slice(dataAt, dataAt + expected);
  const data = type.dtype === 'float32' ? new Float32Array(raw.buffer, 0, count) : type.dtype === 'int32' ? new Int32Array(raw.buffer, 0, count) : raw;
  return { dtype: type.dtype, shape, data };
}

/** Encodes a C-order float32, int32 or uint8 array as a .npy v1.0 file. */
export function encodeNpy(data: Float32Array | Int32Array | Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || count !== data.length) {
    throw new DataError('encodeNpy', 'shape', `must be non-negative integers whose product is data.length (${data.length}), got [${shape.join(', ')}]`);
  }
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Int32Array ? '<i4' : '|u1';
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // Pad with spaces and end with a newline so that the data starts at a multiple of 64.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export interface NpyDatasetOptions {
  name: string;
  /**
   * What a row is. @default by rank: `[N, D]` vector, `[N, T, C]` sequence, `[N, H, W, C]` image
   */
  kind?: SampleKind;
  /** Labels of the rows (from a second .npy, for example). */
  labels?: LabelSet;
}

/**
 * A Dataset over the rows of an array `[N, ...]`. uint8 images are scaled to [0, 1]; other
 * values are kept as they are (features, embeddings; int32 as float32).
 */
export function npyDataset(array: NpyArray, { name, kind, labels }: NpyDatasetOptions): ArrayDataset {
  const fn = 'npyDataset';
  if (array.shape.length < 2) {
    throw new DataError(fn, name, `must hold rows of samples, shape [N, ...] with rank >= 2, found (${array.shape.join(', ')})`);
  }
  const rank = array.shape.length;
  const k: SampleKind = kind ?? (rank === 2 ? 'vector' : rank === 3 ? 'sequence' : 'image');
  if (labels !== undefined && labels.values.length !== array.shape[0]) {
    throw new DataError(fn, name, `has ${array.shape[0]} rows but ${labels.values.length} labels`);
  }
  const scale = k === 'image' && array.dtype === 'uint8' ? 1 / 255 : 1;
  const values = array.data instanceof Int32Array ? Float32Array.from(array.data) : array.data;
  return new ArrayDataset({ name, kind: k, sampleShape: array.shape.slice(1), values, scale, ...(labels !== undefined ? { labels } : {}) });
}
