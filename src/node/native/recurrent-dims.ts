/**
 * The shape check of the recurrent sequence kernels (gru.ts, lstm.ts): x [B, T, D], kernel
 * [D, G U], recurrent kernel [U, G U] and bias [G U], G the gate count (GRU 3, LSTM 4).
 */
import type * as tf from '../../tf.js';
import { shapeError } from './kernel-utils.js';

/** Checks the shapes of x, kernel, recurrent kernel (and bias) of a kernel with `gates` gates; returns [B, T, D, U]. */
export function recurrentDims(
  name: string,
  gates: number,
  x: tf.TensorInfo,
  kernel: tf.TensorInfo,
  rk: tf.TensorInfo,
  bias?: tf.TensorInfo,
): [number, number, number, number] {
  if (x.shape.length !== 3 || x.shape.some((d) => d < 1)) shapeError(name, 'x', 'be [B, T, D] with every size >= 1', x.shape);
  const [b, t, d] = x.shape as [number, number, number];
  if (rk.shape.length !== 2 || rk.shape[0]! < 1 || rk.shape[1] !== gates * rk.shape[0]!) {
    shapeError(name, 'recurrentKernel', `be [U, ${gates}U] with U >= 1`, rk.shape);
  }
  const u = rk.shape[0]!;
  if (kernel.shape.length !== 2 || kernel.shape[0] !== d || kernel.shape[1] !== gates * u)
    shapeError(name, 'kernel', `be [${d}, ${gates * u}]`, kernel.shape);
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== gates * u)) shapeError(name, 'bias', `be [${gates * u}]`, bias.shape);
  return [b, t, d, u];
}

/** Throws unless every input of `name` named in `shapes` has the shape given there. */
export function checkShapes(name: string, shapes: [string, tf.TensorInfo, number[]][]): void {
  for (const [arg, info, shape] of shapes) if (info.shape.join() !== shape.join()) shapeError(name, arg, `be [${shape.join(', ')}]`, info.shape);
}
