/**
 * Reuse of the native kernels' output buffers. On these VMs the page faults of a fresh 50 MB
 * Float32Array cost more than the kernel that fills it, and a training step allocates the same
 * sizes every time. A buffer goes back to the pool when the backend disposes its tensor, unless
 * it may still be visible elsewhere ("escaped"): returned by readSync/dataSync, written under a
 * second tensor, or viewed by a subarray (the cpu backend's Slice). Escaped buffers are left to
 * the garbage collector, so reuse never changes a value anyone can still read. A pinned buffer (the
 * base of a lazy tensor, lazy-channel.ts) disposed with its tensor waits for its last unpin.
 *
 * Beyond `capBytes` the buffers returned longest ago are dropped (to the garbage collector) to make
 * room for the newest: a phase that uses other sizes (evaluation after training) takes the pool
 * over instead of finding it full of the earlier phase's buffers.
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  /** Every pooled buffer, the one returned longest ago first (a Map keeps insertion order). */
  private readonly age = new Map<Float32Array, true>();
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly assigned = new WeakSet<Float32Array>();
  private readonly escaped = new WeakSet<ArrayBuffer>();
  private readonly pins = new Map<ArrayBuffer, number>();
  /** Disposed while pinned: back to the pool at the last unpin. */
  private readonly waiting = new Map<ArrayBuffer, Float32Array>();
  /** Bytes waiting in the pool. */
  pooledBytes = 0;

  /** @param capBytes most bytes kept for reuse (beyond it, disposed buffers go to the GC). */
  constructor(readonly capBytes: number) {}

  /** A buffer of n floats, reused when one is free (contents then undefined). */
  take(n: number): Float32Array {
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.pooledBytes -= reused.byteLength;
      this.age.delete(reused);
      return reused;
    }
    const a = new Float32Array(n);
    this.owned.add(a.buffer);
    return a;
  }

  /** Called when the backend stores `values` under a tensor. */
  onWrite(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values.buffer as ArrayBuffer)) return;
    const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
    if (!whole || this.assigned.has(values)) this.escaped.add(values.buffer as ArrayBuffer);
    else this.assigned.add(values);
  }

  /** Called when `values` leaves the backend (readSync, dataSync, bufferSync). */
  onRead(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.escaped.add(values.buffer as ArrayBuffer);
  }

  /** Called when the tensor holding `values` was disposed. */
  onDispose(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const buf = values.buffer as ArrayBuffer;
    if (!this.owned.has(buf) || this.escaped.has(buf) || !this.assigned.has(values)) return;
    if (this.pins.has(buf)) this.waiting.set(buf, values);
    else this.recycle(values);
  }

  /** Keeps `values` from reuse until as many `unpin` calls (lazy tensors read it later). */
  pin(values: Float32Array): void {
    const buf = values.buffer as ArrayBuffer;
    if (this.owned.has(buf)) this.pins.set(buf, (this.pins.get(buf) ?? 0) + 1);
  }

  unpin(values: Float32Array): void {
    const buf = values.buffer as ArrayBuffer;
    const n = this.pins.get(buf);
    if (n === undefined) return;
    if (n > 1) {
      this.pins.set(buf, n - 1);
      return;
    }
    this.pins.delete(buf);
    const w = this.waiting.get(buf);
    if (w !== undefined) {
      this.waiting.delete(buf);
      this.recycle(w);
    }
  }

  private recycle(values: Float32Array): void {
    this.assigned.delete(values);
    if (values.byteLength > this.capBytes) return;
    // make room by dropping the buffers returned longest ago
    for (const old of this.age.keys()) {
      if (this.pooledBytes + values.byteLength <= this.capBytes) break;
      this.drop(old);
    }
    let list = this.free.get(values.length);
    if (list === undefined) this.free.set(values.length, (list = []));
    list.push(values);
    this.age.set(values, true);
    this.pooledBytes += values.byteLength;
  }

  /** Takes one pooled buffer out of the pool, for the garbage collector. */
  private drop(values: Float32Array): void {
    const list = this.free.get(values.length)!;
    list.splice(list.indexOf(values), 1);
    if (list.length === 0) this.free.delete(values.length);
    this.age.delete(values);
    this.pooledBytes -= values.byteLength;
  }

  /** Drops every pooled buffer. */
  clear(): void {
    this.free.clear();
    this.age.clear();
    this.pooledBytes = 0;
  }
}
