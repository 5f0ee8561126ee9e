/**
 * Helpers for the project's wasm kernels: call another wasm kernel, free intermediates, and view
 * a tensor's bytes on the wasm heap. Kernels receive and return `TensorInfo`s (no engine
 * bookkeeping); every intermediate a kernel makes must be freed with `disposeInfo`.
 */
import * as tf from '../../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
export type TensorInfo = tf.TensorInfo;
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: BackendWasm };

/** Kernel configs of the stock wasm backend captured before the project replaced them. */
const stock = new Map<string, tf.KernelConfig>();

/** Remembers the stock wasm kernel `name` (once), so that a replacement can still call it. */
export function captureStock(name: string): tf.KernelConfig | undefined {
  if (!stock.has(name)) {
    const k = tf.getKernel(name, 'wasm');
    if (k !== undefined) stock.set(name, k);
  }
  return stock.get(name);
}

/** Runs the stock wasm kernel `name` (the shipped one, even when the project replaced it). */
export function callStock(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
  const k = stock.get(name) ?? tf.getKernel(name, 'wasm');
  if (k === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return k.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/** Runs whichever kernel `name` is registered for wasm now (the project's when it replaced one). */
export function callKernel(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (k === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return k.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/** Frees intermediate TensorInfos made inside a kernel. */
export function disposeInfo(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** A TensorInfo with another shape over the same data (a reshape view: do not dispose it). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * A float32 TensorInfo over part of another tensor's memory (`offset` floats in), no copy.
 * Release it with `releaseSubView`, never `disposeInfo` (which would free the parent's memory).
 */
export function subView(backend: BackendWasm, t: TensorInfo, offset: number, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32', backend.getMemoryOffset(t.dataId) + 4 * offset);
}

/** Forgets a `subView` (its id on both sides of the bridge) without freeing memory. */
export function releaseSubView(backend: BackendWasm, t: TensorInfo): void {
  const { id } = backend.dataIdMap.get(t.dataId)!;
  backend.wasm.tfjs.disposeData(id);
  backend.dataIdMap.delete(t.dataId);
}

/** A new uninitialised float32 output on the wasm heap. */
export function makeF32(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

function heapBuffer(backend: BackendWasm, end: number): ArrayBufferLike {
  const wasm = backend.wasm as unknown as { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory };
  let buf: ArrayBufferLike = wasm.HEAPU8.buffer;
  // A shared (threaded) heap that grew keeps old views at their old length: take the memory's
  // current buffer when the old one is too short.
  if (buf.byteLength < end && wasm.wasmMemory !== undefined) buf = wasm.wasmMemory.buffer;
  return buf;
}

/** A Float32Array over the whole wasm heap (index = byte offset / 4), for `copyWithin` between tensors. */
export function heapF32(backend: BackendWasm, ...tensors: TensorInfo[]): Float32Array {
  let end = 0;
  for (const t of tensors) end = Math.max(end, backend.getMemoryOffset(t.dataId) + 4 * tf.util.sizeFromShape(t.shape));
  const buf = heapBuffer(backend, end);
  return new Float32Array(buf, 0, Math.floor(buf.byteLength / 4));
}

/**
 * A Float32Array over a float32 tensor's bytes on the wasm heap. Take views after the last
 * allocation of a kernel: an allocation can grow (and move) the heap.
 */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  const offset = backend.getMemoryOffset(t.dataId);
  const size = tf.util.sizeFromShape(t.shape);
  return new Float32Array(heapBuffer(backend, offset + 4 * size), offset, size);
}
