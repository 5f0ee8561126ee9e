/**
 * MaxPoolGrad for wasm over the heap: each dy goes to the first maximum of its window (row-major
 * window order, strict >), as the cpu backend does; ties after ReLU are common. The 2x2, stride-2,
 * unpadded pool of every CNN here with channels % 4 == 0 runs in the SIMD module
 * (simd-kernels.ts, one output row per call); other pools in JavaScript.
 */
import * as tf from '../../tf.js';
import { f32, makeF32, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { simdKernels } from './simd-kernels.js';

export function maxPoolGrad({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const dx = makeF32(backend, input.shape);
  // every window inside the input (no padding on any side)
  const inside = pt === 0 && pl === 0 && 2 * oh <= h && 2 * ow <= w;
  const simd = kh === 2 && kw === 2 && sh === 2 && sw === 2 && inside && c % 4 === 0 ? simdKernels(backend) : undefined;
  if (simd !== undefined) {
    // a last odd row or column belongs to no window: zero
    if (h !== 2 * oh || w !== 2 * ow) f32(backend, dx).fill(0);
    const xp = backend.getMemoryOffset(input.dataId);
    const dyp = backend.getMemoryOffset(dy.dataId);
    const dxp = backend.getMemoryOffset(dx.dataId);
    const rowBytes = 4 * w * c;
    simd.maxPoolGradImages(xp, dyp, dxp, n, oh, ow, c, rowBytes, h * rowBytes);
    return dx;
  }
  const X = f32(backend, input);
  const DY = f32(backend, dy);
  const DX = f32(backend, dx);
  DX.fill(0);
  const best = new Float32Array(c);
  const pos = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - pt;
      for (let x = 0; x < ow; x++) {
        const x0 = x * sw - pl;
        best.fill(-Infinity);
        pos.fill(-1);
        for (let i = Math.max(0, y0); i < Math.min(h, y0 + kh); i++) {
          for (let j = Math.max(0, x0); j < Math.min(w, x0 + kw); j++) {
            const base = ((b * h + i) * w + j) * c;
            for (let k = 0; k < c; k++) {
              const v = X[base + k]!;
              if (v > best[k]!) {
                best[k] = v;
                pos[k] = base + k;
              }
            }
          }
        }
        const o = ((b * oh + y) * ow + x) * c;
        for (let k = 0; k < c; k++) if (pos[k]! >= 0) DX[pos[k]!] += DY[o + k]!;
      }
    }
  }
  return dx;
}
