/**
 * Conv2DBackpropInput for wasm, as forward Conv2Ds (XNNPACK) instead of the shipped scalar loop.
 * Forward: y[u, v] = Σ_{i,j} x[u*s + i - pad, v*s + j - pad] W[i, j]. Hence
 * dx[h] = Σ over taps i with (h + pad - i) divisible by s of dy[(h + pad - i) / s] W[i]^T.
 * - stride 1: one convolution of dy with W'[i, j, o, c] = W[kh-1-i, kw-1-j, c, o] (spatially
 *   flipped, in/out swapped), padded by (k - 1 - pad) (the convolution pads, no copy).
 * - stride s > 1: the rows h = s*a + r of one phase r use only the taps i ≡ r + pad (mod s), so
 *   each of the s x s phases is a stride-1 convolution of dy with the flipped sub-filter of those
 *   taps, written interleaved into dx. The same FLOPs as the forward pass, where convolving a
 *   zero-dilated dy would spend s² times as many on zeros.
 * - stride 1 onto one input channel (the first layer on grey images): a matmul and col2im
 *   (`singleChannel`), since a convolution with one output channel is slow in XNNPACK.
 */
import * as tf from '../../tf.js';
import {
  callKernel,
  callStock,
  disposeInfo,
  f32,
  heapF32,
  makeF32,
  type BackendWasm,
  type KernelArgs,
  type TensorInfo,
} from './kernel-utils.js';

/** W'[m, n, o, c] = W[i0 + (mi-1-m)*sh, j0 + (mj-1-n)*sw, c, o]: taps i0, i0+sh, ... flipped, in/out swapped. */
function subFilter(
  backend: BackendWasm,
  filter: TensorInfo,
  i0: number,
  mi: number,
  sh: number,
  j0: number,
  mj: number,
  sw: number,
): TensorInfo {
  const [, kw, cin, cout] = filter.shape as [number, number, number, number];
  const out = makeF32(backend, [mi, mj, cout, cin]);
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let m = 0; m < mi; m++) {
    for (let q = 0; q < mj; q++) {
      const s0 = ((i0 + (mi - 1 - m) * sh) * kw + (j0 + (mj - 1 - q) * sw)) * cin * cout;
      const d0 = (m * mj + q) * cout * cin;
      for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) dst[d0 + o * cin + c] = src[s0 + c * cout + o]!;
    }
  }
  return out;
}

/** Stride-1 convolution with explicit padding; negative padding crops dy first. */
function conv(backend: BackendWasm, dy: TensorInfo, f: TensorInfo, top: number, bottom: number, left: number, right: number): TensorInfo {
  let x = dy;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, oh, ow, c] = dy.shape as [number, number, number, number];
    const t = Math.max(0, -top);
    const l = Math.max(0, -left);
    const size = [n, oh - t - Math.max(0, -bottom), ow - l - Math.max(0, -right), c];
    x = callStock('Slice', backend, { x: dy }, { begin: [0, t, l, 0], size });
  }
  const pad = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  const out = callKernel('Conv2D', backend, { x, filter: f }, {
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  if (x !== dy) disposeInfo(backend, x);
  return out;
}

export function conv2DBackpropInput({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error(`wasm Conv2DBackpropInput: dataFormat '${dataFormat}' is not supported, use 'NHWC'`);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    fmt,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;

  if (sh === 1 && sw === 1 && cin === 1) return singleChannel(backend, dy, filter, info);
  if (sh === 1 && sw === 1) {
    const f = subFilter(backend, filter, 0, kh, 1, 0, kw, 1);
    const out = conv(backend, dy, f, kh - 1 - pt, h - oh + pt, kw - 1 - pl, w - ow + pl);
    disposeInfo(backend, f);
    return out;
  }

  const dx = makeF32(backend, [n, h, w, cin]);
  f32(backend, dx).fill(0); // phases without taps stay 0
  for (let r = 0; r < Math.min(sh, h); r++) {
    const i0 = (r + pt) % sh;
    const mi = i0 < kh ? Math.ceil((kh - i0) / sh) : 0;
    const qr = (r + pt - i0) / sh;
    const ha = Math.ceil((h - r) / sh); // rows h = sh*a + r
    for (let t = 0; t < Math.min(sw, w); t++) {
      const j0 = (t + pl) % sw;
      const mj = j0 < kw ? Math.ceil((kw - j0) / sw) : 0;
      if (mi === 0 || mj === 0) continue;
      const qt = (t + pl - j0) / sw;
      const wa = Math.ceil((w - t) / sw);
      const f = subFilter(backend, filter, i0, mi, sh, j0, mj, sw);
      const top = mi - 1 - qr;
      const left = mj - 1 - qt;
      const part = conv(backend, dy, f, top, ha + qr - oh, left, wa + qt - ow); // [n, ha, wa, cin]
      disposeInfo(backend, f);
      // interleave: dx[b, sh*a + r, sw*c + t, :] = part[b, a, c, :]
      const heap = heapF32(backend, dx, part);
      const d0 = backend.getMemoryOffset(dx.dataId) / 4;
      const p0 = backend.getMemoryOffset(part.dataId) / 4;
      for (let b = 0; b < n; b++) {
        for (let a = 0; a < ha; a++) {
          const src = p0 + (b * ha + a) * wa * cin;
          const dst = d0 + ((b * h + sh * a + r) * w + t) * cin;
          if (sw === 1) heap.copyWithin(dst, src, src + wa * cin);
          else for (let c = 0; c < wa; c++) heap.copyWithin(dst + c * sw * cin, src + c * cin, src + (c + 1) * cin);
        }
      }
      disposeInfo(backend, part);
    }
  }
  return dx;
}

/**
 * Stride 1 onto a single input channel (a first layer on grey images): the flipped-filter
 * convolution would have one output channel, which XNNPACK runs slowly. Instead
 * dcols[P, kh*kw] = dy[P, cout] x W^T (one matmul) and each tap's column is added into dx where it
 * lands (col2im).
 */
function singleChannel(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, outChannels: cout, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const taps = kh * kw;
  const wt = makeF32(backend, [1, cout, taps]); // W[i, j, 0, o] -> Wt[o, i*kw + j]
  {
    const W = f32(backend, filter);
    const T = f32(backend, wt);
    for (let t = 0; t < taps; t++) for (let o = 0; o < cout; o++) T[o * taps + t] = W[t * cout + o]!;
  }
  const dcols = callStock(
    'BatchMatMul',
    backend,
    { a: { ...dy, shape: [1, n * oh * ow, cout] }, b: wt },
    { transposeA: false, transposeB: false },
  );
  disposeInfo(backend, wt);
  const dx = makeF32(backend, [n, h, w, 1]);
  const D = f32(backend, dcols);
  const X = f32(backend, dx);
  X.fill(0);
  for (let b = 0, p = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++, p++) {
        for (let i = 0; i < kh; i++) {
          const iy = y + i - pt;
          if (iy < 0 || iy >= h) continue;
          const row = (b * h + iy) * w;
          for (let j = 0; j < kw; j++) {
            const ix = x + j - pl;
            if (ix >= 0 && ix < w) X[row + ix] += D[p * taps + i * kw + j]!;
          }
        }
      }
    }
  }
  disposeInfo(backend, dcols);
  return dx;
}
