/**
 * A least-recently-used cache of decoded samples bounded by bytes: a small collection is decoded
 * once and served from memory in later epochs, a large one streams (the oldest entries go first).
 */
import { ConfigError } from '../errors.js';

export class SampleCache {
  private readonly entries = new Map<number, Float32Array>();
  private used = 0;

  /** `maxBytes`: bytes of sample data kept at most (0 keeps nothing). */
  constructor(readonly maxBytes: number) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new ConfigError('SampleCache', 'maxBytes', `must be a number >= 0, got ${maxBytes}`);
  }

  /** The cached sample (marked as recently used), or undefined. */
  get(index: number): Float32Array | undefined {
    const v = this.entries.get(index);
    if (v === undefined) return undefined;
    this.entries.delete(index);
    this.entries.set(index, v);
    return v;
  }

  set(index: number, data: Float32Array): void {
    if (data.byteLength > this.maxBytes) return;
    const old = this.entries.get(index);
    if (old !== undefined) {
      this.used -= old.byteLength;
      this.entries.delete(index);
    }
    this.entries.set(index, data);
    this.used += data.byteLength;
    for (const [k, v] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= v.byteLength;
    }
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }
}
