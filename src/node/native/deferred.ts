/**
 * Deferred outputs of the native backend: a kernel returns a tensor whose values are computed the
 * first time any kernel (native or the cpu backend's) or `dataSync` reads them, and never when the
 * tensor is disposed unread. What it is for: tfjs-core's fused convolution (`tf.fused.conv2d`,
 * which every tfjs-layers Conv2D and Conv1D runs, bias and activation or not) computes its
 * gradient with `customGrad`, which returns the gradient of the input with the filter's even where
 * the input is the model's input, and the engine drops it unread. Deferred, Conv2DBackpropInput of
 * a first layer costs nothing. The inputs a deferred output reads stay valid: their buffers are
 * pinned in the backend's buffer pool until it is computed or dropped.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type * as tf from '../../tf.js';
import type { BufferHooks } from './lazy-channel.js';

let hooks: BufferHooks = { pin: () => {}, unpin: () => {}, adopt: () => {} };

/** Connects deferred outputs to the pool that holds their inputs' buffers (set by the backend's registration). */
export function setDeferredRuntime(h: BufferHooks): void {
  hooks = h;
}

/**
 * Deferral off with `CONTRASTIVE_NATIVE_DEFER=0` (every kernel computes at once, as before), and
 * below this many output elements (the bookkeeping would cost more than it can save).
 */
export const DEFER_MIN = process.env.CONTRASTIVE_NATIVE_DEFER === '0' ? Infinity : 16384;

/** What a deferred output is, for kernels that can use its inputs instead of its values. */
export type DeferredTag =
  /** relu(x), element-wise. */
  | { op: 'relu'; x: Float32Array }
  /** The gradient of clip(relu(x), lo, hi) with lo <= 0 through the clip only: dy where x <= hi (NativeClipGrad of a deferred Relu). */
  | { op: 'clipGradOfRelu'; dy: Float32Array; x: Float32Array; hi: number };

interface Deferred {
  inputs: Float32Array[];
  compute: () => Float32Array;
  tag?: DeferredTag | undefined;
}

/** Deferred outputs not computed yet, by the backend storage entry of their tensor. */
const waiting = new WeakMap<object, Deferred>();

/** Deferred outputs made, computed and dropped unread so far (tests and profiles read them). */
export const deferredStats = { made: 0, computed: 0, dropped: 0 };

function release(entry: object, d: Deferred): void {
  waiting.delete(entry);
  for (const a of d.inputs) hooks.unpin(a);
}

/** Whether the storage entry holds a deferred output not computed yet. */
export function isDeferredEntry(entry: object | undefined): boolean {
  return entry !== undefined && waiting.has(entry);
}

/** Forgets the deferred output of a storage entry being deleted, without computing it. */
export function dropDeferredEntry(entry: object): void {
  const d = waiting.get(entry);
  if (d === undefined) return;
  release(entry, d);
  deferredStats.dropped++;
}

/** The tag of `t` when it is a deferred output not computed yet (reading its values would compute it). */
export function deferredTag(backend: MathBackendCPU, t: tf.TensorInfo): DeferredTag | undefined {
  const entry = backend.data.get(t.dataId) as object | undefined;
  return entry === undefined ? undefined : waiting.get(entry)?.tag;
}

/**
 * A float32 tensor of `shape` whose values `compute` returns (a new buffer of its size) when first
 * read. `inputs`: the buffers `compute` reads, kept from reuse until then; `tag`: what it is.
 */
export function deferredTensor(backend: MathBackendCPU, shape: number[], inputs: Float32Array[], compute: () => Float32Array,
  tag?: DeferredTag): tf.TensorInfo {
  const info = backend.makeTensorInfo(shape, 'float32', new Float32Array(0));
  const entry = backend.data.get(info.dataId) as object;
  const d: Deferred = { inputs, compute, tag };
  for (const a of inputs) hooks.pin(a);
  waiting.set(entry, d);
  const settle = (v: unknown): void => {
    Object.defineProperty(entry, 'values', { value: v, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(entry, 'values', {
    enumerable: true,
    configurable: true,
    get: () => {
      const out = d.compute();
      release(entry, d);
      settle(out);
      hooks.adopt(out);
      deferredStats.computed++;
      return out;
    },
    set: (v: unknown) => {
      release(entry, d);
      settle(v);
    },
  });
  deferredStats.made++;
  return info;
}
