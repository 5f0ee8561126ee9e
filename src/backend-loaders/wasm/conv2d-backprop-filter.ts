/**
 * Conv2DBackpropFilter for wasm (the shipped backend has none, so no CNN trains on it).
 * dW[kh, kw, cin, cout] = cols[kh*kw*cin, P] x dy[P, cout], P = N*oh*ow: the im2col matrix is
 * built channels-first so the weight gradient is a non-transposed product, added chunk by chunk
 * into dW by the SIMD `gemmAcc` on every kernel thread (simd-kernels.ts) where cout is a multiple
 * of 4, else by XNNPACK matmuls (which pack their right operand, the chunk of dy, on every call).
 * The batch is split into chunks of about `CHUNK_POSITIONS` output positions, so that a chunk's
 * operands stay in cache.
 * `MAX_COLS_FLOATS` bounds a chunk's `cols` too (32-bit wasm has a 4 GB heap). 3x3 stride-1 'same'
 * convolutions with channel counts that are multiples of 4 take Winograd F(2x2, 3x3) instead
 * (winograd-filter-gradient.ts).
 */
import * as tf from '../../tf.js';
import {
  callStock,
  disposeInfo,
  f32,
  heapF32,
  makeF32,
  releaseSubView,
  subView,
  view,
  type KernelArgs,
  type TensorInfo,
} from './kernel-utils.js';
import { winogradApplies, winogradFilterGradient } from './winograd-filter-gradient.js';
import { simdKernels } from './simd-kernels.js';

/** Largest im2col chunk, in floats (16 Mi floats = 64 MB). */
export const MAX_COLS_FLOATS = 16 * 1024 * 1024;

/**
 * Output positions (N*oh*ow) per chunk: whole images up to about this many. Chunks matter where
 * the matmul is large; a convolution whose weight gradient has under `SMALL_GRADIENT` floats
 * (a first layer on 1-3 channels) runs in one matmul.
 */
export const CHUNK_POSITIONS = 4096;
const SMALL_GRADIENT = 1024;

/**
 * `maxColsFloats` bounds the im2col chunk (tests pass a small one to exercise chunking);
 * `winograd: false` keeps the im2col matmul where Winograd applies (tests and `bench step --kernels`).
 */
export function conv2DBackpropFilter({ inputs, attrs, backend }: KernelArgs, maxColsFloats = MAX_COLS_FLOATS, winograd = true): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error(`wasm Conv2DBackpropFilter: dataFormat '${dataFormat}' is not supported, use 'NHWC'`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    fmt,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (winograd && winogradApplies(info)) {
    const dw = winogradFilterGradient(backend, x, dy, info);
    if (dw !== undefined) return dw;
  }
  if (sh === 1 && sw === 1 && oh === h && ow === w && kh * kw > 1 && cin * kh * kw * cout >= SMALL_GRADIENT) {
    return stride1Same(backend, x, dy, info, maxColsFloats);
  }
  const rows = kh * kw * cin; // R
  const perImage = oh * ow;
  const byCache = rows * cout < SMALL_GRADIENT ? n : Math.max(1, Math.round(CHUNK_POSITIONS / perImage));
  const chunk = Math.max(1, Math.min(n, byCache, Math.floor(maxColsFloats / (rows * perImage))));

  const xT = callStock('Transpose', backend, { x }, { perm: [3, 0, 1, 2] }); // [cin, N, H, W]
  const dW = gradientSum(backend, rows, cout);
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const nc = Math.min(chunk, n - n0);
    const p = nc * perImage;
    const cols = makeF32(backend, [1, rows, p]); // [1, R, P]
    // stride 1: rows are runs of the input copied with copyWithin on the heap (2x a JS loop)
    const heap = heapF32(backend, xT, cols);
    const s0 = backend.getMemoryOffset(xT.dataId) / 4;
    const src = f32(backend, xT);
    const dst = f32(backend, cols);
    const d0 = backend.getMemoryOffset(cols.dataId) / 4;
    let o = 0;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        // valid output columns for this filter column: 0 <= x*sw + j - pl < w
        const x0 = Math.min(ow, Math.max(0, Math.ceil((pl - j) / sw)));
        const x1 = Math.max(x0, Math.min(ow, Math.floor((w - 1 - j + pl) / sw) + 1));
        const shift = j - pl;
        for (let c = 0; c < cin; c++) {
          for (let b = n0; b < n0 + nc; b++) {
            const plane = (c * n + b) * h;
            for (let y = 0; y < oh; y++) {
              const iy = y * sh + i - pt;
              if (iy < 0 || iy >= h) {
                dst.fill(0, o, o + ow);
                o += ow;
                continue;
              }
              const base = (plane + iy) * w + shift;
              if (sw === 1) {
                if (x0 > 0) dst.fill(0, o, o + x0);
                heap.copyWithin(d0 + o + x0, s0 + base + x0, s0 + base + x1);
                if (x1 < ow) dst.fill(0, o + x1, o + ow);
                o += ow;
                continue;
              }
              let xx = 0;
              for (; xx < x0; xx++) dst[o++] = 0;
              for (; xx < x1; xx++) dst[o++] = src[base + xx * sw]!;
              for (; xx < ow; xx++) dst[o++] = 0;
            }
          }
        }
      }
    }
    dW.add(cols, dy, n0 * perImage, p); // this chunk's rows of dy are contiguous
    disposeInfo(backend, cols);
  }
  disposeInfo(backend, xT);
  return view(dW.result(), [kh, kw, cin, cout]);
}

/**
 * dW [R, cout] = Σ over chunks of cols [R, P] x dy[p0 .. p0 + P) [P, cout]: the SIMD `gemmAcc` on
 * every kernel thread where cout is a multiple of 4 (no copy, no packing), else XNNPACK matmuls
 * summed here (XNNPACK packs its right operand, this chunk of dy, on every call).
 */
function gradientSum(
  backend: KernelArgs['backend'],
  rows: number,
  cout: number,
): { add(cols: TensorInfo, dy: TensorInfo, p0: number, len: number): void; result(): TensorInfo } {
  const simd = cout % 4 === 0 ? simdKernels(backend) : undefined;
  let acc: TensorInfo | undefined;
  let sum: Float32Array | undefined;
  if (simd !== undefined) {
    acc = makeF32(backend, [rows, cout]);
    f32(backend, acc).fill(0);
  }
  const at = (t: TensorInfo): number => backend.getMemoryOffset(t.dataId);
  return {
    add: (cols, dy, p0, len) => {
      if (simd !== undefined) {
        simd.gemmAcc(at(cols), at(dy) + 4 * p0 * cout, at(acc!), rows, len, cout);
        return;
      }
      const whole = p0 === 0 && len * cout === tf.util.sizeFromShape(dy.shape);
      const dyc = whole ? view(dy, [1, len, cout]) : subView(backend, dy, p0 * cout, [1, len, cout]);
      const part = callStock('BatchMatMul', backend, { a: cols, b: dyc }, { transposeA: false, transposeB: false }); // [1, R, cout]
      if (!whole) releaseSubView(backend, dyc);
      if (acc === undefined) acc = part;
      else {
        sum ??= f32(backend, acc).slice();
        const v = f32(backend, part);
        for (let i = 0; i < sum.length; i++) sum[i] += v[i]!;
        disposeInfo(backend, part);
      }
    },
    result: () => {
      if (sum !== undefined) f32(backend, acc!).set(sum);
      return acc!;
    },
  };
}

/**
 * Stride 1 with 'same' output size (the 3x3 convolutions of every CNN here): the positions become
 * a padded grid [N, H + ph, W + pw] (ph, pw: the larger of the two paddings), x laid out
 * channels-first on it with zeros in the pad rows and columns, dy on it with zeros at the pad
 * positions. A tap (i, j) then reads channel c's plane shifted by a constant, (i - pt)(W + pw) +
 * (j - pl): every row of cols is one contiguous copy, where the plain im2col copies runs of one
 * output row (14 or 7 floats here). The grid adds (H + ph)(W + pw) / (HW) to the matmul's work
 * (1.15x at 14x14, 1.31x at 7x7) and removes most of the copying.
 */
function stride1Same(
  backend: KernelArgs['backend'],
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  maxColsFloats: number,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout, filterHeight: kh, filterWidth: kw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const ws = w + Math.max(pl, kw - 1 - pl);
  const hs = h + Math.max(pt, kh - 1 - pt);
  const lead = pt * ws + pl; // the first position's tap (0, 0) reads this far before it
  const q = n * hs * ws; // grid positions
  const plane = lead + q + (kh - 1 - pt) * ws + (kw - 1 - pl);
  const rows = kh * kw * cin;
  const xT = callStock('Transpose', backend, { x }, { perm: [3, 0, 1, 2] }); // [cin, N, H, W]
  const xP = makeF32(backend, [cin, plane]);
  const dyP = makeF32(backend, [q, cout]);
  {
    const heap = heapF32(backend, xT, xP, dyP, dy);
    const t0 = backend.getMemoryOffset(xT.dataId) / 4;
    const x0 = backend.getMemoryOffset(xP.dataId) / 4;
    const d0 = backend.getMemoryOffset(dyP.dataId) / 4;
    const g0 = backend.getMemoryOffset(dy.dataId) / 4;
    heap.fill(0, x0, x0 + cin * plane);
    heap.fill(0, d0, d0 + q * cout);
    for (let c = 0; c < cin; c++) {
      for (let b = 0; b < n; b++) {
        for (let y = 0; y < h; y++) {
          const src = t0 + ((c * n + b) * h + y) * w;
          heap.copyWithin(x0 + c * plane + lead + (b * hs + y) * ws, src, src + w);
        }
      }
    }
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < h; y++) {
        const src = g0 + (b * h + y) * w * cout;
        heap.copyWithin(d0 + (b * hs + y) * ws * cout, src, src + w * cout);
      }
    }
  }
  disposeInfo(backend, xT);
  const qc = Math.max(1, Math.min(q, CHUNK_POSITIONS, Math.floor(maxColsFloats / rows)));
  const dW = gradientSum(backend, rows, cout);
  for (let q0 = 0; q0 < q; q0 += qc) {
    const len = Math.min(qc, q - q0);
    const cols = makeF32(backend, [1, rows, len]);
    const heap = heapF32(backend, xP, cols);
    const x0 = backend.getMemoryOffset(xP.dataId) / 4 + lead + q0;
    const c0 = backend.getMemoryOffset(cols.dataId) / 4;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const shift = (i - pt) * ws + (j - pl);
        for (let c = 0; c < cin; c++) {
          const src = x0 + c * plane + shift;
          heap.copyWithin(c0 + ((i * kw + j) * cin + c) * len, src, src + len);
        }
      }
    }
    dW.add(cols, dyP, q0, len);
    disposeInfo(backend, cols);
  }
  disposeInfo(backend, xP, dyP);
  return view(dW.result(), [kh, kw, cin, cout]);
}
