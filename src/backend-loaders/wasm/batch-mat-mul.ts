/**
 * BatchMatMul and _FusedMatMul for wasm. The shipped kernels take a scalar path when an operand is
 * transposed (10-50x slower): these transpose the operand first (one pass over it) and then call
 * the shipped kernel without transposes (XNNPACK). The shipped BatchMatMul also takes a scalar
 * path (~2.4 GFLOP/s here) for more than one matrix: from `SPLIT_BATCH_MIN` multiply-adds a matrix
 * on, BatchMatMul runs one XNNPACK call per matrix instead (2.5-14x faster at [4-16, 64-256, 64-128,
 * 64-256]; below it the calls' fixed cost wins).
 */
import * as tf from '../../tf.js';
import { callStock, disposeInfo, heapF32, makeF32, releaseSubView, subView, type KernelArgs, type TensorInfo } from './kernel-utils.js';

/** Multiply-adds per matrix (m k n) from which a batch is split into one call per matrix. */
export const SPLIT_BATCH_MIN = 1 << 17;

function swapLast(backend: KernelArgs['backend'], t: TensorInfo): TensorInfo {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return callStock('Transpose', backend, { x: t }, { perm });
}

/**
 * a [...batch, m, k] x b [...batch, k, n] (or one of them a single matrix) as one XNNPACK matmul
 * per matrix, or undefined where the batch is not worth splitting or broadcasts otherwise.
 */
function splitBatch(backend: KernelArgs['backend'], a: TensorInfo, b: TensorInfo): TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const batch = Math.max(batchA, batchB);
  const same = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (batch < 2 || m * k * n < SPLIT_BATCH_MIN || !(same || batchA === 1 || batchB === 1)) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const out = makeF32(backend, [...outer, m, n]);
  for (let j = 0; j < batch; j++) {
    const aj = subView(backend, a, batchA === 1 ? 0 : j * m * k, [1, m, k]);
    const bj = subView(backend, b, batchB === 1 ? 0 : j * k * n, [1, k, n]);
    const c = callStock(tf.BatchMatMul, backend, { a: aj, b: bj }, { transposeA: false, transposeB: false });
    releaseSubView(backend, aj);
    releaseSubView(backend, bj);
    const heap = heapF32(backend, c, out);
    const from = backend.getMemoryOffset(c.dataId) / 4;
    heap.copyWithin(backend.getMemoryOffset(out.dataId) / 4 + j * m * n, from, from + m * n);
    disposeInfo(backend, c);
  }
  return out;
}

function untransposed(name: string) {
  return ({ inputs, attrs, backend }: KernelArgs): TensorInfo => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const a2 = transposeA ? swapLast(backend, a) : a;
    const b2 = transposeB ? swapLast(backend, b) : b;
    try {
      const split = name === tf.BatchMatMul ? splitBatch(backend, a2, b2) : undefined;
      return split ?? callStock(name, backend, { ...inputs, a: a2, b: b2 }, { ...attrs, transposeA: false, transposeB: false });
    } finally {
      if (transposeA) disposeInfo(backend, a2);
      if (transposeB) disposeInfo(backend, b2);
    }
  };
}

export const batchMatMul = untransposed(tf.BatchMatMul);
export const fusedMatMul = untransposed(tf._FusedMatMul);
