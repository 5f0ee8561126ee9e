/**
 * BatchMatMul and _FusedMatMul for wasm with `transposeA`/`transposeB`: the shipped kernels take a
 * scalar path when an operand is transposed (10-50x slower). These transpose the operand first
 * (one pass over it) and then call the shipped kernel without transposes (XNNPACK).
 */
import * as tf from '../../tf.js';
import { callStock, disposeInfo, type KernelArgs, type TensorInfo } from './kernel-utils.js';

function swapLast(backend: KernelArgs['backend'], t: TensorInfo): TensorInfo {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return callStock('Transpose', backend, { x: t }, { perm });
}

function untransposed(name: string) {
  return ({ inputs, attrs, backend }: KernelArgs): TensorInfo => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    if (!transposeA && !transposeB) return callStock(name, backend, inputs, attrs);
    const a2 = transposeA ? swapLast(backend, a) : a;
    const b2 = transposeB ? swapLast(backend, b) : b;
    try {
      return callStock(name, backend, { ...inputs, a: a2, b: b2 }, { ...attrs, transposeA: false, transposeB: false });
    } finally {
      if (transposeA) disposeInfo(backend, a2);
      if (transposeB) disposeInfo(backend, b2);
    }
  };
}

export const batchMatMul = untransposed(tf.BatchMatMul);
export const fusedMatMul = untransposed(tf._FusedMatMul);
