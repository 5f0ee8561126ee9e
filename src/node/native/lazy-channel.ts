/**
 * Lazy per-channel affine tensors of the native backend. BatchNorm written with `tf.moments` (and
 * tfjs-layers' BatchNormalization, which calls it) makes full-size tensors that only feed a
 * per-channel reduction or another per-channel op: `Sub(x, mean)` and its `Square` forward,
 * Mean's gradient (a broadcast), Square's gradient (a broadcast times x - mean) and the Adds that
 * accumulate them into x's gradient. Each is an affine function of one full-size tensor per
 * channel, so the native kernels return it unevaluated, as a term over x viewed as [rows, C]:
 *
 *   v[r, c] = gamma[c] * dense[r, c] + alpha[c] * base[r, c] + beta[c]   or   (alpha[c] * base[r, c] + beta[c])^2
 *
 * A Mean or Sum over the leading axes of a term reads `base` once (native/channel.cc) and never
 * writes the term; Add, Sub, Multiply by a per-channel tensor, Neg and Square combine terms. Any
 * other reader gets the values: the tensor's storage entry has a getter on `values` that evaluates
 * the term in one pass the first time any kernel (native or the cpu backend's) reads it.
 * `dense` and `base` stay valid while a term refers to them: their buffers are pinned in the
 * backend's buffer pool, so disposing their own tensors does not hand them to another tensor.
 */
import * as tf from '../../tf.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { alloc, sizeOf, values } from './kernel-utils.js';

/** v = gamma * dense + alpha * base + beta per channel of a tensor viewed as [rows, C], or (alpha * base + beta)^2. */
export interface ChannelTerm {
  rows: number;
  C: number;
  /** Scaled per channel by gamma; null: none (never with `square`). */
  dense: Float32Array | null;
  gamma: Float32Array;
  /** Scaled per channel by alpha; null: none. */
  base: Float32Array | null;
  /** The storage id of the tensor `base` holds the values of, when known (for its cached channel sums). */
  baseId?: object;
  alpha: Float32Array;
  beta: Float32Array;
  square: boolean;
}

/**
 * Below this many elements a term is evaluated at once (the bookkeeping costs more than a pass).
 * `CONTRASTIVE_NATIVE_LAZY=0` turns lazy terms off (every kernel writes its result, as before).
 */
export const LAZY_MIN = process.env.CONTRASTIVE_NATIVE_LAZY === '0' ? Infinity : 16384;

/** How the pool keeps the buffers a term refers to (set by the backend's registration). */
export interface BufferHooks {
  pin(a: Float32Array): void;
  unpin(a: Float32Array): void;
  /** Called with the buffer a term was evaluated into, now the tensor's storage. */
  adopt(a: Float32Array): void;
}

let hooks: BufferHooks = { pin: () => {}, unpin: () => {}, adopt: () => {} };
let addonRef: NativeAddon | undefined;

/** Connects terms to the addon that evaluates them and the pool that holds their buffers. */
export function setLazyChannelRuntime(addon: NativeAddon, h: BufferHooks): void {
  addonRef = addon;
  hooks = h;
}

type Entry = { values?: unknown; refCount: number };

/** Unevaluated terms, by the backend storage entry of their tensor. */
const pending = new WeakMap<object, ChannelTerm>();

/** Lazy tensors made and evaluated so far (tests and profiles read them). */
export const lazyStats = { made: 0, evaluated: 0, dropped: 0 };

function entryOf(backend: MathBackendCPU, t: tf.TensorInfo): Entry | undefined {
  return backend.data.get(t.dataId) as Entry | undefined;
}

/** Whether the storage entry holds an unevaluated term (reading `values` would evaluate it). */
export function isPendingEntry(entry: object | undefined): boolean {
  return entry !== undefined && pending.has(entry);
}

function release(entry: object, term: ChannelTerm): void {
  pending.delete(entry);
  if (term.dense !== null) hooks.unpin(term.dense);
  if (term.base !== null) hooks.unpin(term.base);
}

/** Forgets the term of a storage entry being deleted, without evaluating it. */
export function dropPendingEntry(entry: object): void {
  const term = pending.get(entry);
  if (term === undefined) return;
  release(entry, term);
  lazyStats.dropped++;
}

/** Writes the values of `term` into a new buffer (rows * C floats). */
export function evaluate(term: ChannelTerm): Float32Array {
  const out = alloc(term.rows * term.C);
  if (out.length > 0) addonRef!.channelAffine(out, term.rows, term.C, term.dense, term.gamma, term.base, term.alpha, term.beta, term.square);
  return out;
}

function evaluateEntry(entry: Entry): Float32Array {
  const term = pending.get(entry)!;
  const out = evaluate(term);
  release(entry, term);
  Object.defineProperty(entry, 'values', { value: out, writable: true, enumerable: true, configurable: true });
  hooks.adopt(out);
  lazyStats.evaluated++;
  return out;
}

/** A float32 tensor of `shape` whose values are `term`, evaluated when first read. */
export function lazyTensor(backend: MathBackendCPU, shape: number[], term: ChannelTerm): tf.TensorInfo {
  const info = backend.makeTensorInfo(shape, 'float32', new Float32Array(0));
  const entry = entryOf(backend, info)!;
  if (term.dense !== null) hooks.pin(term.dense);
  if (term.base !== null) hooks.pin(term.base);
  pending.set(entry, term);
  Object.defineProperty(entry, 'values', {
    enumerable: true,
    configurable: true,
    get: () => evaluateEntry(entry),
    set: (v: unknown) => {
      release(entry, term);
      Object.defineProperty(entry, 'values', { value: v, writable: true, enumerable: true, configurable: true });
    },
  });
  lazyStats.made++;
  return info;
}

/** The unevaluated term of `t`, when it has one that views t as [rows, last dim]. */
export function pendingTerm(backend: MathBackendCPU, t: tf.TensorInfo): ChannelTerm | undefined {
  const entry = entryOf(backend, t);
  const term = entry === undefined ? undefined : pending.get(entry);
  if (term === undefined || t.shape.length === 0) return undefined;
  return t.shape[t.shape.length - 1] === term.C && sizeOf(t.shape) === term.rows * term.C ? term : undefined;
}

/** `t` as a term over [rows, last dim]: its pending term, or its values as the base; undefined if not float32. */
export function termOf(backend: MathBackendCPU, t: tf.TensorInfo): ChannelTerm | undefined {
  if (t.dtype !== 'float32' || t.shape.length === 0) return undefined;
  const p = pendingTerm(backend, t);
  if (p !== undefined) return p;
  const v = values(backend, t);
  if (v === undefined) return undefined;
  const C = t.shape[t.shape.length - 1]!;
  if (C === 0) return undefined;
  return { ...broadcastTerm(v.length / C, new Float32Array(C)), base: v, baseId: t.dataId, alpha: new Float32Array(C).fill(1) };
}

/** Per-channel sums of dense tensors over their leading axes, by storage id (set by Sum and Mean; ids are never reused). */
const channelSums = new WeakMap<object, { rows: number; sums: Float64Array }>();

/** Records the per-channel sums of the tensor stored under `dataId`, viewed as [rows, sums.length]. */
export function rememberChannelSums(dataId: object, rows: number, sums: Float64Array): void {
  channelSums.set(dataId, { rows, sums });
}

/**
 * The values of `p` as one per channel of a tensor of shape `full` (last axis C), when p
 * broadcasts only along the leading axes: shape [..., 1, C] (or a scalar, repeated). Else undefined.
 */
export function perChannel(backend: MathBackendCPU, p: tf.TensorInfo, full: readonly number[]): Float32Array | undefined {
  const C = full[full.length - 1]!;
  if (p.dtype !== 'float32' || p.shape.length > full.length || isPendingEntry(entryOf(backend, p))) return undefined;
  const n = sizeOf(p.shape);
  const last = p.shape.length === 0 ? 1 : p.shape[p.shape.length - 1]!;
  if (n !== last || (n !== C && n !== 1)) return undefined;
  const v = values(backend, p);
  if (v === undefined) return undefined;
  return n === C ? v : new Float32Array(C).fill(v[0]!);
}

/** Per-channel sums over the rows of `term` times `scale`, without evaluating it. */
export function termSums(term: ChannelTerm, scale = 1): Float32Array {
  const sums = new Float32Array(term.C);
  const known = term.baseId === undefined ? undefined : channelSums.get(term.baseId);
  if (!term.square && term.dense === null && (term.base === null || (known !== undefined && known.rows === term.rows && known.sums.length === term.C))) {
    // alpha * sum(base) + rows * beta, from the base's sums recorded by the Mean that computed its mean: no pass
    for (let c = 0; c < term.C; c++) sums[c] = ((term.base === null ? 0 : term.alpha[c]! * known!.sums[c]!) + term.rows * term.beta[c]!) * scale;
    return sums;
  }
  addonRef!.channelAffineSum(sums, term.rows, term.C, term.dense, term.gamma, term.base, term.alpha, term.beta, term.square, scale);
  return sums;
}

const scaled = (a: Float32Array, s: Float32Array | number): Float32Array =>
  a.map((v, c) => v * (typeof s === 'number' ? s : s[c]!));
const added = (a: Float32Array, b: Float32Array, sign = 1): Float32Array => a.map((v, c) => v + sign * b[c]!);

/** term + sign * p (per channel); undefined for a squared term. */
export function shiftTerm(t: ChannelTerm, p: Float32Array, sign: number): ChannelTerm | undefined {
  if (t.square) return undefined;
  return { ...t, beta: added(t.beta, p, sign) };
}

/** term * p (per channel); undefined for a squared term. */
export function scaleTerm(t: ChannelTerm, p: Float32Array | number): ChannelTerm | undefined {
  if (t.square) return undefined;
  return { ...t, gamma: scaled(t.gamma, p), alpha: scaled(t.alpha, p), beta: scaled(t.beta, p) };
}

/** (term)^2; undefined when the term has a dense part or is squared already. */
export function squareTerm(t: ChannelTerm): ChannelTerm | undefined {
  if (t.square || t.dense !== null) return undefined;
  return { ...t, square: true };
}

/** Whether the term is one value per channel (no full-size part). */
export const isBroadcast = (t: ChannelTerm): boolean => t.dense === null && t.base === null && !t.square;

/** The term `beta` (one value per channel) over [rows, beta.length]. */
export function broadcastTerm(rows: number, beta: Float32Array): ChannelTerm {
  const C = beta.length;
  return { rows, C, dense: null, gamma: new Float32Array(C), base: null, alpha: new Float32Array(C), beta, square: false };
}

/**
 * a + sign * b, when the result is still one term: neither squared, and at most two full-size
 * tensors between them (the same tensor in both merges its scales).
 */
export function addTerms(a: ChannelTerm, b: ChannelTerm, sign: number): ChannelTerm | undefined {
  if (a.square || b.square || a.rows !== b.rows || a.C !== b.C) return undefined;
  const parts: { v: Float32Array; id?: object; scale: Float32Array }[] = [];
  const put = (v: Float32Array, scale: Float32Array, id: object | undefined): void => {
    const same = parts.find((x) => x.v === v);
    if (same === undefined) parts.push({ v, scale, ...(id === undefined ? {} : { id }) });
    else {
      same.scale = added(same.scale, scale);
      if (id !== undefined) same.id = id;
    }
  };
  for (const [t, s] of [[a, 1], [b, sign]] as const) {
    if (t.dense !== null) put(t.dense, s === 1 ? t.gamma : scaled(t.gamma, -1), undefined);
    if (t.base !== null) put(t.base, s === 1 ? t.alpha : scaled(t.alpha, -1), t.baseId);
  }
  if (parts.length > 2) return undefined;
  // the base: a tensor whose channel sums may be recorded (it has an id), else the first
  const i = parts.findIndex((x) => x.id !== undefined);
  const base = parts.splice(i < 0 ? 0 : i, 1)[0], dense = parts[0];
  return {
    ...broadcastTerm(a.rows, added(a.beta, b.beta, sign)),
    ...(dense === undefined ? {} : { dense: dense.v, gamma: dense.scale }),
    ...(base === undefined ? {} : { base: base.v, alpha: base.scale }),
    ...(base?.id === undefined ? {} : { baseId: base.id }),
  };
}
