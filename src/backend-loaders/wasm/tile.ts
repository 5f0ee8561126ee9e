/**
 * Tile for wasm as block copies on the heap (`copyWithin`): the shipped kernel walks the output
 * element by element, and tfjs-core's BatchNorm gradient tiles a [1,1,1,C] tensor to the full
 * activation size (21% of a ResNet step as shipped).
 */
import * as tf from '../../tf.js';
import { callStock, type KernelArgs, type TensorInfo } from './kernel-utils.js';

type Arr = Float32Array | Int32Array | Uint8Array;

function heapArray(backend: KernelArgs['backend'], t: TensorInfo): Arr {
  const size = tf.util.sizeFromShape(t.shape);
  const offset = backend.getMemoryOffset(t.dataId);
  const wasm = backend.wasm as unknown as { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory };
  const bytes = t.dtype === 'bool' ? 1 : 4;
  let buf: ArrayBufferLike = wasm.HEAPU8.buffer;
  if (buf.byteLength < offset + bytes * size && wasm.wasmMemory !== undefined) buf = wasm.wasmMemory.buffer;
  if (t.dtype === 'float32') return new Float32Array(buf, offset, size);
  if (t.dtype === 'int32') return new Int32Array(buf, offset, size);
  return new Uint8Array(buf, offset, size);
}

export function tile({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const x = inputs.x as TensorInfo;
  const reps = (attrs as { reps: number[] }).reps;
  if (!['float32', 'int32', 'bool'].includes(x.dtype)) return callStock(tf.Tile, backend, inputs, attrs);
  const shape = x.shape;
  const rank = shape.length;
  const outShape = shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const size = tf.util.sizeFromShape(outShape);
  if (size === 0) return out;
  const src = heapArray(backend, x);
  const dst = heapArray(backend, { ...out, shape: outShape });
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  // inner[i]: elements of one input block below dim i; outInner[i]: same for the output
  const inner = new Array<number>(rank + 1).fill(1);
  const outInner = new Array<number>(rank + 1).fill(1);
  for (let i = rank - 1; i >= 0; i--) {
    inner[i] = inner[i + 1]! * shape[i]!;
    outInner[i] = outInner[i + 1]! * outShape[i]!;
  }
  // Fills dst[d, d + outInner[i]) from src[s, s + inner[i]) for the sub-tensor starting at dim i.
  const fill = (i: number, s: number, d: number): void => {
    const block = outInner[i + 1]! * shape[i]!; // one copy of the input along dim i
    if (i === rank - 1) {
      dst.set(src.subarray(s, s + shape[i]!), d);
    } else if (inner[i + 1] === outInner[i + 1]) {
      // no repetition below dim i: the input slab is contiguous in the output too
      dst.set(src.subarray(s, s + inner[i]!), d);
    } else {
      for (let k = 0; k < shape[i]!; k++) fill(i + 1, s + k * inner[i + 1]!, d + k * outInner[i + 1]!);
    }
    // repeat that block reps[i] times by doubling
    let done = block;
    const total = block * reps[i]!;
    while (done < total) {
      const n = Math.min(done, total - done);
      dst.copyWithin(d + done, d, d + n);
      done += n;
    }
  };
  fill(0, 0, 0);
  return out;
}
