/**
 * Sum and Mean for wasm when the reduced axes are the leading ones (bias and BatchNorm gradients,
 * BatchNorm's batch statistics: [N, H, W, C] -> [C]): one pass in JavaScript, eight rows at a time
 * into float64 accumulators. The shipped kernels first transpose the reduced axes to the end,
 * 3-4x slower on these shapes. Other reductions go to the shipped kernels.
 */
import * as tf from '../../tf.js';
import { callStock, f32, makeF32, type KernelArgs, type TensorInfo } from './kernel-utils.js';

/** Column sums of a row-major [rows, cols] block into float64. */
function columnSums(x: Float32Array, rows: number, cols: number): Float64Array {
  const acc = new Float64Array(cols);
  const c8 = 8 * cols;
  let p = 0;
  let o = 0;
  for (; p + 8 <= rows; p += 8, o += c8) {
    for (let c = 0; c < cols; c++) {
      const i = o + c;
      acc[c] +=
        x[i]! +
        x[i + cols]! +
        (x[i + 2 * cols]! + x[i + 3 * cols]!) +
        (x[i + 4 * cols]! + x[i + 5 * cols]! + (x[i + 6 * cols]! + x[i + 7 * cols]!));
    }
  }
  for (; p < rows; p++, o += cols) for (let c = 0; c < cols; c++) acc[c] += x[o + c]!;
  return acc;
}

function leadingReduce(name: string, divide: boolean) {
  return ({ inputs, attrs, backend }: KernelArgs): TensorInfo => {
    const x = inputs.x as TensorInfo;
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return callStock(name, backend, inputs, attrs);
    const k = axes.length;
    const rows = tf.util.sizeFromShape(x.shape.slice(0, k)); // P
    const cols = tf.util.sizeFromShape(x.shape.slice(k)); // C
    const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    const out = makeF32(backend, outShape);
    const acc = columnSums(f32(backend, x), rows, cols);
    const dst = f32(backend, out);
    const scale = divide && rows > 0 ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
    return out;
  };
}

export const sum = leadingReduce(tf.Sum, false);
export const mean = leadingReduce(tf.Mean, true);
