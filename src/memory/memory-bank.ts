/**
 * Memory bank of instance features (NPID, Wu et al. 2018, arXiv:1805.01978): one L2-normalised
 * row per training instance, kept in ONE Float32Array (`size x dim`; 60k x 128 is ~31 MB,
 * 1M x 128 is 512 MB) and updated in place, never copied whole.
 *
 * Order within a training step (the reference code's, and the one that trains): compute the loss
 * and its gradients with the rows as they were BEFORE the step (`get`), then `update` the rows of
 * the batch. Updating first makes every positive partly the current feature itself, and the loss
 * no longer measures what it should.
 *
 * ```ts
 * const bank = new MemoryBank({ size: 60000, dim: 128, seed: 1 });
 * const negatives = bank.sample(4096, { exclude: batchIndices }); // Int32Array
 * const rows = bank.get(negatives);                               // Tensor2D [4096, 128]
 * // ... loss with the old rows ...
 * bank.update(batchIndices, features);                            // normalize(0.5 old + 0.5 new)
 * ```
 */
import * as tf from '../tf.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng, type RngState } from '../random.js';
import { assertInRange, assertInteger, assertFinite, describe, formatShape } from '../validate.js';

export interface MemoryBankOptions {
  /** Number of rows: one per training instance (the dataset's size). */
  size: number;
  /** Length of one feature row. NPID uses 128. */
  dim: number;
  /**
   * Weight of the old row in an update: `row <- normalize(momentum * old + (1 - momentum) * new)`.
   * @default 0.5 (NPID reference code, `NCEAverage(..., momentum=0.5)`)
   */
  momentum?: number;
  /** Seed of the initial rows and of `sample` when no generator is passed. @default 0 */
  seed?: number;
}

/** What `state()` returns and `MemoryBank.fromState` restores (for checkpoints). */
export interface MemoryBankState {
  size: number;
  dim: number;
  momentum: number;
  /** The rows, `size * dim` values, row-major. The bank's own buffer, not a copy. */
  data: Float32Array;
  /** State of the bank's own generator. */
  rng: RngState;
}

export interface SampleOptions {
  /** Indices that must not be drawn (the batch's own instances, say). */
  exclude?: ArrayLike<number>;
  /** Generator to draw with. @default the bank's own seeded generator */
  rng?: Rng;
}

const FN = 'MemoryBank';

/** @internal What `fromState` hands the constructor. */
interface Restored {
  data: Float32Array;
  rng: RngState;
}

export class MemoryBank {
  readonly size: number;
  readonly dim: number;
  readonly momentum: number;
  private buffer: Float32Array;
  private rng: Rng;
  private disposed = false;

  /**
   * Rows start uniform in [-1/sqrt(dim/3), 1/sqrt(dim/3)] (the NPID reference's
   * `torch.rand(N, D) * 2 * stdv - stdv`, stdv = 1/sqrt(D/3)), each then L2-normalised.
   */
  constructor({ size, dim, momentum = 0.5, seed = 0 }: MemoryBankOptions, restored?: Restored) {
    const fn = restored === undefined ? FN : 'MemoryBank.fromState';
    assertInteger(size, fn, 'size');
    assertInteger(dim, fn, 'dim');
    assertInRange(momentum, 0, 1, fn, 'momentum');
    assertFinite(seed, fn, 'seed');
    this.size = size;
    this.dim = dim;
    this.momentum = momentum;
    if (restored !== undefined) {
      const { data } = restored;
      if (!(data instanceof Float32Array) || data.length !== size * dim) {
        const got = data instanceof Float32Array ? `a Float32Array of length ${data.length}` : describe(data);
        throw new ShapeError(fn, 'data', `must be a Float32Array of ${size} x ${dim} = ${size * dim} values, got ${got}`);
      }
      this.buffer = data;
      this.rng = Rng.fromState(restored.rng);
      return;
    }
    this.rng = new Rng(seed);
    try {
      this.buffer = new Float32Array(size * dim);
    } catch (err) {
      throw new ConfigError(FN, 'size', `x dim = ${size} x ${dim} floats cannot be allocated (${(err as Error).message})`);
    }
    const init = this.rng.fork();
    const stdv = 1 / Math.sqrt(dim / 3);
    const b = this.buffer;
    for (let i = 0; i < b.length; i++) b[i] = (2 * init.next() - 1) * stdv;
    for (let r = 0; r < size; r++) normalizeRow(b, r * dim, dim);
  }

  /** A bank restored from `state()` (the buffer is adopted, not copied). */
  static fromState(state: MemoryBankState): MemoryBank {
    const { size, dim, momentum, data, rng } = state;
    return new MemoryBank({ size, dim, momentum }, { data, rng });
  }

  /** Everything needed to restore the bank. `data` is the live buffer: copy it to keep a snapshot. */
  state(): MemoryBankState {
    this.assertAlive('state');
    return { size: this.size, dim: this.dim, momentum: this.momentum, data: this.buffer, rng: this.rng.state() };
  }

  /** The live buffer, `size * dim` values row-major (read it; write through `update`). */
  get data(): Float32Array {
    this.assertAlive('data');
    return this.buffer;
  }

  /** Bytes held by the bank's buffer. */
  get bytes(): number {
    return this.buffer.byteLength;
  }

  /** Rows at `indices` as a new tensor `[B, dim]` (the caller disposes it). */
  get(indices: ArrayLike<number>): tf.Tensor2D {
    const rows = this.rows(indices, 'get');
    return tf.tensor2d(rows, [indices.length, this.dim]);
  }

  /** Rows at `indices`, transposed, as a new tensor `[dim, B]` (wasm multiplies untransposed operands fastest). */
  getTransposed(indices: ArrayLike<number>): tf.Tensor2D {
    this.checkIndices(indices, 'getTransposed');
    return tf.tensor2d(
      transposeRows(this.buffer, this.dim, indices.length, (r) => indices[r]!),
      [this.dim, indices.length],
    );
  }

  /**
   * The `count` consecutive rows from `start` as a new tensor: `[count, dim]`, or `[dim, count]`
   * with `transposed`. Cheaper than `get` for a block (one copy of contiguous memory).
   */
  slice(start: number, count: number, { transposed = false }: { transposed?: boolean } = {}): tf.Tensor2D {
    this.assertAlive('slice');
    assertInteger(start, `${FN}.slice`, 'start', 0);
    assertInteger(count, `${FN}.slice`, 'count');
    if (start + count > this.size) {
      throw new ConfigError(`${FN}.slice`, 'count', `must keep start + count <= the bank size ${this.size}, got ${start} + ${count}`);
    }
    const d = this.dim;
    if (transposed)
      return tf.tensor2d(
        transposeRows(this.buffer, d, count, (r) => start + r),
        [d, count],
      );
    return tf.tensor2d(this.buffer.slice(start * d, (start + count) * d), [count, d]);
  }

  /** Rows at `indices` copied into a Float32Array of `B * dim` values. */
  rows(indices: ArrayLike<number>, fn = 'rows'): Float32Array {
    this.checkIndices(indices, fn);
    const d = this.dim;
    const out = new Float32Array(indices.length * d);
    for (let r = 0; r < indices.length; r++) {
      const src = indices[r]! * d;
      out.set(this.buffer.subarray(src, src + d), r * d);
    }
    return out;
  }

  /**
   * `k` indices drawn uniformly with replacement (as the reference's alias sampler with equal
   * weights), never one of `exclude`.
   */
  sample(k: number, { exclude, rng }: SampleOptions = {}): Int32Array {
    this.assertAlive('sample');
    assertInteger(k, `${FN}.sample`, 'k', 0);
    if (k > this.size) throw new ConfigError(`${FN}.sample`, 'k', `must be <= the bank size ${this.size}, got ${k}`);
    if (rng !== undefined && !(rng instanceof Rng)) throw new ConfigError(`${FN}.sample`, 'rng', `must be an Rng, got ${describe(rng)}`);
    const r = rng ?? this.rng;
    const out = new Int32Array(k);
    if (exclude === undefined || exclude.length === 0) {
      for (let i = 0; i < k; i++) out[i] = r.int(this.size);
      return out;
    }
    this.checkIndices(exclude, 'sample', 'exclude');
    const banned = new Uint8Array(this.size);
    let nBanned = 0;
    for (let i = 0; i < exclude.length; i++) {
      const e = exclude[i]!;
      if (banned[e] === 0) nBanned++;
      banned[e] = 1;
    }
    const allowed = this.size - nBanned;
    if (allowed === 0 && k > 0) {
      throw new ConfigError(`${FN}.sample`, 'exclude', `leaves no index to draw from (it covers all ${this.size} rows)`);
    }
    if (allowed * 4 >= this.size) {
      // rejection: at most 4 tries per draw on average
      for (let i = 0; i < k; i++) {
        let j = r.int(this.size);
        while (banned[j] === 1) j = r.int(this.size);
        out[i] = j;
      }
    } else {
      const pool = new Int32Array(allowed);
      for (let j = 0, p = 0; j < this.size; j++) if (banned[j] === 0) pool[p++] = j;
      for (let i = 0; i < k; i++) out[i] = pool[r.int(allowed)]!;
    }
    return out;
  }

  /**
   * In place, for each row b: `bank[indices[b]] <- normalize(momentum * old + (1 - momentum) *
   * features[b])`. `features`: `[B, dim]` (a tensor or `B * dim` values), normally L2-normalised.
   * A repeated index is updated once per occurrence, in order. Call it after the step's loss.
   */
  update(indices: ArrayLike<number>, features: tf.Tensor2D | Float32Array): void {
    this.write('update', indices, features, this.momentum);
  }

  /**
   * In place, for each row b: `bank[indices[b]] <- normalize(features[b])`, the old row discarded
   * (filling a bank with a network's features before training). `features` as in `update`.
   */
  set(indices: ArrayLike<number>, features: tf.Tensor2D | Float32Array): void {
    this.write('set', indices, features, 0);
  }

  /** `update` with weight `m` on the old row (0: `set`). */
  private write(fn: string, indices: ArrayLike<number>, features: tf.Tensor2D | Float32Array, m: number): void {
    this.checkIndices(indices, fn);
    const n = indices.length;
    let values: Float32Array;
    if (features instanceof Float32Array) {
      if (features.length !== n * this.dim) {
        throw new ShapeError(
          `${FN}.${fn}`,
          'features',
          `must hold ${n} x ${this.dim} = ${n * this.dim} values (one row per index), got ${features.length}`,
        );
      }
      values = features;
    } else {
      if (features === null || typeof features !== 'object' || !Array.isArray((features as tf.Tensor).shape) || features.rank !== 2) {
        throw new ShapeError(`${FN}.${fn}`, 'features', `must be a rank-2 tensor [${n}, ${this.dim}], got ${describe(features)}`);
      }
      if (features.shape[1] !== this.dim || features.shape[0] !== n) {
        throw new ShapeError(
          `${FN}.${fn}`,
          'features',
          `must have shape [${n}, ${this.dim}] (one row of the bank's dim per index), got ${formatShape(features.shape)}`,
        );
      }
      values = features.dataSync() as Float32Array;
    }
    const d = this.dim;
    const b = this.buffer;
    for (let r = 0; r < n; r++) {
      const dst = indices[r]! * d;
      const src = r * d;
      for (let c = 0; c < d; c++) b[dst + c] = m * b[dst + c]! + (1 - m) * values[src + c]!;
      normalizeRow(b, dst, d);
    }
  }

  /** Releases the buffer; the bank cannot be used afterwards. */
  dispose(): void {
    this.disposed = true;
    this.buffer = new Float32Array(0);
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new ConfigError(`${FN}.${method}`, undefined, 'the bank has been disposed');
  }

  private checkIndices(indices: ArrayLike<number>, method: string, arg = 'indices'): void {
    this.assertAlive(method);
    if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
      throw new ShapeError(`${FN}.${method}`, arg, `must be an array of row indices, got ${describe(indices)}`);
    }
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.size) {
        throw new ConfigError(
          `${FN}.${method}`,
          arg,
          `must hold integers in [0, ${this.size - 1}] (the bank has ${this.size} rows), got ${describe(v)} at position ${i}`,
        );
      }
    }
  }
}

/** `out[c * n + r] = b[row(r) * d + c]`: n rows gathered and transposed, in tiles of 64 rows (cache-friendly writes). */
function transposeRows(b: Float32Array, d: number, n: number, row: (r: number) => number): Float32Array {
  const out = new Float32Array(n * d);
  const tile = 64;
  const src = new Int32Array(tile);
  for (let r0 = 0; r0 < n; r0 += tile) {
    const r1 = Math.min(n, r0 + tile);
    for (let r = r0; r < r1; r++) src[r - r0] = row(r) * d;
    for (let c = 0; c < d; c++) {
      const o = c * n;
      for (let r = r0; r < r1; r++) out[o + r] = b[src[r - r0]! + c]!;
    }
  }
  return out;
}

/** L2-normalises `b[off .. off + d)` in place (a zero row stays zero). */
function normalizeRow(b: Float32Array, off: number, d: number): void {
  let s = 0;
  for (let c = 0; c < d; c++) s += b[off + c]! * b[off + c]!;
  const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
  for (let c = 0; c < d; c++) b[off + c]! *= inv;
}
