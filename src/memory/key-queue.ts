/**
 * MoCo's dictionary (He et al. 2020, https://arxiv.org/abs/1911.05722, §3.2): a FIFO queue of the
 * last `size` keys (L2-normalised rows from the momentum encoder), the negatives of every query.
 * Each step enqueues the batch's keys over the oldest rows. Host-side, one Float32Array
 * (`size x dim`), like `MemoryBank`; `rows()` makes the tensor a step reads.
 */
import * as tf from '../tf.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../random.js';
import { assertInteger, describe, formatShape } from '../validate.js';

export interface KeyQueueOptions {
  /** Keys held, K. */
  size: number;
  /** Length of a key. */
  dim: number;
  /** Seed of the initial random unit rows (MoCo starts from random normalised keys). @default 0 */
  seed?: number;
}

export class KeyQueue {
  readonly size: number;
  readonly dim: number;
  /** The rows, `size * dim`, row-major. */
  readonly data: Float32Array;
  /** Row where the next key goes (the oldest). */
  pointer = 0;

  constructor(options: KeyQueueOptions) {
    const fn = 'KeyQueue';
    if (options === null || typeof options !== 'object')
      throw new ConfigError(fn, 'options', `must be an object { size, dim }, got ${describe(options)}`);
    const { size, dim, seed = 0 } = options;
    assertInteger(size, fn, 'size');
    assertInteger(dim, fn, 'dim');
    assertInteger(seed, fn, 'seed', 0);
    this.size = size;
    this.dim = dim;
    this.data = new Float32Array(size * dim);
    const rng = new Rng(seed);
    for (let r = 0; r < size; r++) {
      let norm = 0;
      for (let c = 0; c < dim; c++) {
        const v = rng.normal();
        this.data[r * dim + c] = v;
        norm += v * v;
      }
      const s = 1 / Math.max(Math.sqrt(norm), 1e-12);
      for (let c = 0; c < dim; c++) this.data[r * dim + c]! *= s;
    }
  }

  /** All K keys as a new `[K, dim]` tensor (the caller disposes it). */
  rows(): tf.Tensor2D {
    return tf.tensor2d(this.data, [this.size, this.dim]);
  }

  /** Writes `keys` `[B, dim]` (L2-normalised here) over the oldest rows, wrapping around. */
  enqueue(keys: tf.Tensor2D): void {
    const unit = this.unitRows(keys, 'KeyQueue.enqueue');
    const values = unit.dataSync();
    unit.dispose();
    this.write(values, keys.shape[0]);
  }

  /** `enqueue` that reads the keys back asynchronously (`await data()`): a training step's way. */
  async enqueueAsync(keys: tf.Tensor2D): Promise<void> {
    const unit = this.unitRows(keys, 'KeyQueue.enqueueAsync');
    const b = keys.shape[0];
    try {
      this.write((await unit.data()) as Float32Array, b);
    } finally {
      unit.dispose();
    }
  }

  private unitRows(keys: tf.Tensor2D, fn: string): tf.Tensor2D {
    if (!(keys instanceof tf.Tensor) || keys.rank !== 2 || keys.shape[1] !== this.dim) {
      throw new ShapeError(
        fn,
        'keys',
        `must be a [B, ${this.dim}] tensor, got ${keys instanceof tf.Tensor ? formatShape(keys.shape) : describe(keys)}`,
      );
    }
    return tf.tidy(() => tf.div(keys, tf.maximum(tf.norm(keys, 'euclidean', 1, true), 1e-12)));
  }

  private write(values: Float32Array | Int32Array | Uint8Array, b: number): void {
    const start = b >= this.size ? b - this.size : 0; // a batch larger than the queue keeps its last K keys
    for (let i = start; i < b; i++) {
      this.data.set(values.subarray(i * this.dim, (i + 1) * this.dim), this.pointer * this.dim);
      this.pointer = (this.pointer + 1) % this.size;
    }
  }
}
