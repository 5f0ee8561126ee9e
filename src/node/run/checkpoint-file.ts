/**
 * The checkpoint file format: one file, so that one atomic rename replaces it whole.
 *
 *   bytes 0-7   magic `CTRCKPT1`
 *   bytes 8-11  header length H (uint32, little-endian)
 *   bytes 12..  header: UTF-8 JSON { epoch, stepInEpoch, step, rng, epochRng, lrScale?, meta, tensors: [{ name, dtype, shape, offset, length }] }
 *   then        tensor data, each at `offset` bytes from the start of the data section, 4-byte aligned
 */
import * as tf from '../../tf.js';
import type { Checkpoint } from '../../train/trainer.js';
import { DataError } from '../../errors.js';

const MAGIC = 'CTRCKPT1';

interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}

interface Header {
  epoch: number;
  stepInEpoch: number;
  step: number;
  rng: number[];
  epochRng: number[];
  /** Present when steps were skipped (`onNonFinite: 'skip'`): the factor on the learning rate. */
  lrScale?: number;
  meta: Record<string, unknown>;
  tensors: TensorEntry[];
}

/** Serialises a checkpoint (reads the tensors; does not dispose them). */
export async function encodeCheckpoint(c: Checkpoint): Promise<Uint8Array> {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(c.state.tensors)) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32')
      throw new DataError('encodeCheckpoint', name, `must be float32 or int32, got ${t.dtype}`);
    const values = (await t.data()) as Float32Array | Int32Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, length: values.length });
    chunks.push(bytes);
    offset += bytes.byteLength; // 4-byte values: offsets stay aligned
  }
  const header: Header = {
    epoch: c.epoch,
    stepInEpoch: c.stepInEpoch,
    step: c.step,
    rng: [...c.rng],
    epochRng: [...c.epochRng],
    ...(c.lrScale !== undefined ? { lrScale: c.lrScale } : {}),
    meta: c.state.meta,
    tensors: entries,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  const out = new Uint8Array(12 + json.length + pad + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length + pad, true);
  out.set(json, 12);
  out.fill(0x20, 12 + json.length, 12 + json.length + pad); // spaces: still valid JSON
  let at = 12 + json.length + pad;
  for (const b of chunks) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

const isState = (r: unknown): r is number[] =>
  Array.isArray(r) && r.length === 4 && r.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Parses a checkpoint file; the caller owns the returned tensors. Throws DataError naming `file` on any corruption. */
export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint'): Checkpoint {
  const fn = 'loadCheckpoint';
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new DataError(fn, file, `is not a checkpoint (no ${MAGIC} magic, ${bytes.length} bytes)`);
  }
  const h = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + h > bytes.length) throw new DataError(fn, file, `is truncated: header of ${h} bytes, file of ${bytes.length}`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h))) as Header;
  } catch (err) {
    throw new DataError(fn, file, `has a corrupt header (${(err as Error).message})`);
  }
  if (
    header === null ||
    typeof header !== 'object' ||
    !isCount(header.epoch) ||
    !isCount(header.step) ||
    !isCount(header.stepInEpoch) ||
    !isState(header.rng) ||
    !isState(header.epochRng) ||
    !Array.isArray(header.tensors) ||
    header.meta === null ||
    typeof header.meta !== 'object'
  ) {
    throw new DataError(fn, file, 'has a header without valid epoch, step, rng, meta and tensors');
  }
  if (header.lrScale !== undefined && !(typeof header.lrScale === 'number' && header.lrScale > 0 && header.lrScale <= 1)) {
    throw new DataError(fn, file, `has an lrScale that is not in (0, 1]: ${JSON.stringify(header.lrScale).slice(0, 40)}`);
  }
  const base = 12 + h;
  const dataLen = bytes.length - base;
  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const e of header.tensors) {
      if (
        e === null ||
        typeof e !== 'object' ||
        typeof e.name !== 'string' ||
        (e.dtype !== 'float32' && e.dtype !== 'int32') ||
        !Array.isArray(e.shape) ||
        !e.shape.every(isCount) ||
        !isCount(e.offset) ||
        !isCount(e.length) ||
        e.offset % 4 !== 0
      ) {
        throw new DataError(fn, file, `has a corrupt tensor entry ${JSON.stringify(e).slice(0, 80)}`);
      }
      if (Object.prototype.hasOwnProperty.call(tensors, e.name) || e.name === '__proto__')
        throw new DataError(fn, file, `has tensor ${JSON.stringify(e.name).slice(0, 40)} twice (or a reserved name)`);
      if (e.shape.reduce((a, b) => a * b, 1) !== e.length)
        throw new DataError(fn, file, `tensor ${e.name}: shape [${e.shape}] does not hold ${e.length} values`);
      if (e.offset + 4 * e.length > dataLen)
        throw new DataError(
          fn,
          file,
          `is truncated: tensor ${e.name} needs bytes up to ${e.offset + 4 * e.length}, data section has ${dataLen}`,
        );
      const copy = new Uint8Array(bytes.subarray(base + e.offset, base + e.offset + 4 * e.length)); // a copy (Buffer.slice would share)
      const values = e.dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
      tensors[e.name] = tf.tensor(values, e.shape, e.dtype);
    }
  } catch (err) {
    tf.dispose(Object.values(tensors));
    throw err;
  }
  return {
    epoch: header.epoch,
    stepInEpoch: header.stepInEpoch,
    step: header.step,
    rng: header.rng as Checkpoint['rng'],
    epochRng: header.epochRng as Checkpoint['epochRng'],
    ...(header.lrScale !== undefined ? { lrScale: header.lrScale } : {}),
    state: { tensors, meta: header.meta },
  };
}
