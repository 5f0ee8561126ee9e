/**
 * The one-op training-mode BatchNorm of `src/models/batch-norm.ts` for wasm, in JavaScript over
 * the heap (x is [..., C], channels last, so every row of C floats is one position):
 * - `batchNormTrain` (`ContrastiveBatchNormTrain`): one pass for the per-channel sum and sum of
 *   squares (float64 accumulators), one pass for y = x * scale + shift.
 * - `batchNormTrainGrad` (`ContrastiveBatchNormTrainGrad`): one pass for sum(dy) and
 *   sum(dy * (x - mean)) (float64), one pass for dx in closed form (the formula of
 *   `src/models/batch-norm.ts`), with the gradients reaching the mean and variance outputs.
 * Without them wasm runs tfjs-layers' moments + batchNorm and a gradient of ~8 passes over the
 * activation, each a separate kernel with its own intermediate.
 */
import * as tf from '../../tf.js';
import { disposeInfo, f32, makeF32, type BackendWasm, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { simdKernels } from './simd-kernels.js';

/** Rows summed in float32 by the SIMD loop before they are added into float64. */
const BLOCK_ROWS = 64;

/**
 * Per-channel float64 sums over the rows of [rows, c] by the SIMD module: `run(r0, n, s)` adds rows
 * r0..r0+n-1 into the float32 scratch s ([2c] on the heap, zeroed here), flushed every BLOCK_ROWS.
 */
function blockSums(
  backend: BackendWasm,
  rows: number,
  c: number,
  run: (r0: number, n: number, s: number) => void,
): [Float64Array, Float64Array] {
  const scratch = makeF32(backend, [2 * c]);
  const s = backend.getMemoryOffset(scratch.dataId);
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    const S = f32(backend, scratch);
    S.fill(0);
    run(r0, Math.min(BLOCK_ROWS, rows - r0), s);
    for (let k = 0; k < c; k++) {
      s1[k] += S[k]!;
      s2[k] += S[c + k]!;
    }
  }
  disposeInfo(backend, scratch);
  return [s1, s2];
}

/** A [c] float32 tensor on the heap holding `values` (parameters of the SIMD loops). */
function heapVector(backend: BackendWasm, values: ArrayLike<number>): TensorInfo {
  const t = makeF32(backend, [values.length]);
  f32(backend, t).set(values);
  return t;
}

/** Per-channel float64 sums of x and x² over the rows of a row-major [rows, c] block. */
function sumsAndSquares(x: Float32Array, rows: number, c: number): [Float64Array, Float64Array] {
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  for (let p = 0, o = 0; p < rows; p++, o += c) {
    for (let k = 0; k < c; k++) {
      const v = x[o + k]!;
      s1[k] += v;
      s2[k] += v * v;
    }
  }
  return [s1, s2];
}

/** Inputs x, gamma, beta ([C] each); attr epsilon. Outputs y (shape of x), mean and biased variance ([C]). */
export function batchNormTrain({ inputs, attrs, backend }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const epsilon = (attrs as { epsilon: number }).epsilon;
  const c = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const y = makeF32(backend, x.shape);
  const mean = makeF32(backend, [c]);
  const variance = makeF32(backend, [c]);
  const simd = c % 4 === 0 ? simdKernels(backend) : undefined;
  const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
  const [s1, s2] =
    simd !== undefined
      ? blockSums(backend, rows, c, (r0, n, s) => simd.colSums(at(x) + 4 * r0 * c, n, c, s))
      : sumsAndSquares(f32(backend, x), rows, c);
  const M = f32(backend, mean);
  const V = f32(backend, variance);
  const G = f32(backend, gamma);
  const m32 = new Float32Array(c);
  const scale = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const m = s1[k]! / rows;
    const v = Math.max(0, s2[k]! / rows - m * m);
    M[k] = m;
    V[k] = v;
    m32[k] = m;
    scale[k] = G[k]! / Math.sqrt(v + epsilon);
  }
  // (x - mean) * scale + beta, as tf.batchNorm (no cancellation between x * scale and mean * scale)
  if (simd !== undefined) {
    const mv = heapVector(backend, m32);
    const sv = heapVector(backend, scale);
    simd.affine(at(x), at(y), rows, c, at(mv), at(sv), at(beta));
    disposeInfo(backend, mv, sv);
  } else {
    const X = f32(backend, x);
    const Y = f32(backend, y);
    const B = f32(backend, beta);
    for (let p = 0, o = 0; p < rows; p++, o += c) {
      for (let k = 0; k < c; k++) Y[o + k] = (X[o + k]! - m32[k]!) * scale[k]! + B[k]!;
    }
  }
  return [y, mean, variance];
}

/**
 * Inputs x, dy, mean, variance, gamma, dmean, dvariance (the last two: the gradients reaching the
 * mean and variance outputs, [C]; absent means zero); attr epsilon. Outputs dx, dgamma, dbeta.
 */
export function batchNormTrainGrad({ inputs, attrs, backend }: KernelArgs): TensorInfo[] {
  const { x, dy, mean, variance, gamma, dmean, dvariance } = inputs as Record<string, TensorInfo | undefined> & {
    x: TensorInfo;
    dy: TensorInfo;
    mean: TensorInfo;
    variance: TensorInfo;
    gamma: TensorInfo;
  };
  const epsilon = (attrs as { epsilon: number }).epsilon;
  const c = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const dx = makeF32(backend, x.shape);
  const dgamma = makeF32(backend, [c]);
  const dbeta = makeF32(backend, [c]);
  const simd = c % 4 === 0 ? simdKernels(backend) : undefined;
  const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
  const m32 = Float32Array.from(f32(backend, mean));
  let sdy: Float64Array;
  let sdyx: Float64Array;
  if (simd !== undefined) {
    [sdy, sdyx] = blockSums(backend, rows, c, (r0, n, s) => simd.colGradSums(at(x) + 4 * r0 * c, at(dy) + 4 * r0 * c, n, c, at(mean), s));
  } else {
    const X = f32(backend, x);
    const DY = f32(backend, dy);
    sdy = new Float64Array(c);
    sdyx = new Float64Array(c);
    for (let p = 0, o = 0; p < rows; p++, o += c) {
      for (let k = 0; k < c; k++) {
        const g = DY[o + k]!;
        sdy[k] += g;
        sdyx[k] += g * (X[o + k]! - m32[k]!);
      }
    }
  }
  const V = f32(backend, variance);
  const G = f32(backend, gamma);
  const DM = dmean === undefined ? undefined : f32(backend, dmean);
  const DV = dvariance === undefined ? undefined : f32(backend, dvariance);
  const DG = f32(backend, dgamma);
  const DB = f32(backend, dbeta);
  // dx = dy * a + (x - mean) * b + d, per channel a, b, d
  const a = new Float32Array(c);
  const b = new Float32Array(c);
  const d = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const inv = 1 / Math.sqrt(V[k]! + epsilon);
    const ak = G[k]! * inv;
    let bk = (-ak * inv * inv * sdyx[k]!) / rows;
    let dk = (-ak * sdy[k]!) / rows;
    if (DV !== undefined) bk += (2 * DV[k]!) / rows;
    if (DM !== undefined) dk += DM[k]! / rows;
    a[k] = ak;
    b[k] = bk;
    d[k] = dk;
    DG[k] = sdyx[k]! * inv;
    DB[k] = sdy[k]!;
  }
  if (simd !== undefined) {
    const params = [m32, a, b, d].map((v) => heapVector(backend, v));
    simd.affineGrad(at(x), at(dy), at(dx), rows, c, ...(params.map(at) as [number, number, number, number]));
    disposeInfo(backend, ...params);
  } else {
    const X = f32(backend, x);
    const DY = f32(backend, dy);
    const DX = f32(backend, dx);
    for (let p = 0, o = 0; p < rows; p++, o += c) {
      for (let k = 0; k < c; k++) DX[o + k] = DY[o + k]! * a[k]! + (X[o + k]! - m32[k]!) * b[k]! + d[k]!;
    }
  }
  return [dx, dgamma, dbeta];
}
