/**
 * A 3x3, stride-1, 'same' convolution (NHWC, channel counts multiples of 4) by Winograd
 * F(2x2, 3x3) (Lavin & Gray, arXiv:1509.09308): each 2x2 output tile is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A,
 * so the layer is 16 products M[ξν] = V[ξν] W[ξν] ([tiles, cin] x [cin, cout]) between an input
 * transform and an output transform: 2.25x fewer multiply-adds than the direct convolution (1.72x
 * at 7x7, whose last tile row and column are half outside). The transforms and products are the
 * SIMD loops of winograd-kernels.ts, on every kernel thread. The same kernel computes the input
 * gradient of such a convolution (conv2d-backprop-input.ts: a convolution with the flipped filter).
 */
import * as tf from '../../tf.js';
import { disposeInfo, f32, makeF32, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { imagesPerChunk, planeFloats, tileGrid, winogradForwardKernels } from './winograd-kernels.js';
import { cropFromTiles, padTileInput, tilesOverhang } from './winograd-pad.js';
import { G, MAX_TILE_FLOATS } from './winograd-filter-gradient.js';

/**
 * W[ξν][ci][co] = (G g Gᵀ)[ξ][ν] of each 3x3 filter g = filter[:, :, ci, co]; filter as [3, 3, cin, cout], out as [16, cin, cout].
 * Separably, as whole planes of cin x cout: the rows T = G g first (4 x 3 planes), then T Gᵀ.
 */
export function transformFilter(filter: Float32Array, out: Float32Array, cin: number, cout: number): void {
  const size = cin * cout;
  const t = new Float32Array(12 * size); // T[ξ][j] = Σ_i G[ξ][i] g[i][j]
  for (let xi = 0; xi < 4; xi++) {
    for (let j = 0; j < 3; j++) {
      const dst = t.subarray((3 * xi + j) * size, (3 * xi + j + 1) * size);
      for (let i = 0; i < 3; i++) {
        const c = G[xi]![i]!;
        if (c === 0) continue;
        const base = (i * 3 + j) * size;
        for (let k = 0; k < size; k++) dst[k] += c * filter[base + k]!;
      }
    }
  }
  for (let xi = 0; xi < 4; xi++) {
    for (let nu = 0; nu < 4; nu++) {
      const o = (4 * xi + nu) * size;
      out.fill(0, o, o + size);
      for (let j = 0; j < 3; j++) {
        const c = G[nu]![j]!;
        if (c === 0) continue;
        const base = (3 * xi + j) * size;
        for (let k = 0; k < size; k++) out[o + k] += c * t[base + k]!;
      }
    }
  }
}

/**
 * y [N, H, W, cout] of x [N, H, W, cin] and filter [3, 3, cin, cout], or undefined where the SIMD
 * kernels cannot run here or one image alone exceeds `maxTileFloats` (the caller then takes
 * XNNPACK's convolution). `info` must satisfy `winogradApplies`.
 */
export function winogradConv2D(
  backend: KernelArgs['backend'],
  x: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  maxTileFloats = MAX_TILE_FLOATS,
): TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = info;
  const [th, tw] = tileGrid(h, w);
  const perImage = th * tw;
  const images = imagesPerChunk(n, perImage, cin, cout, maxTileFloats);
  if (images === undefined) return undefined;
  const tiles = 4 * Math.ceil((images * perImage) / 4); // the products run 4 tiles at a time
  const kernels = winogradForwardKernels(backend, { h, w, cin, cout, tiles });
  if (kernels === undefined) return undefined;

  const xPad = padTileInput(backend, x);
  const wt = makeF32(backend, [16, cin, cout]);
  transformFilter(f32(backend, filter), f32(backend, wt), cin, cout);
  const y = makeF32(backend, [n, h, w, cout]);
  const overhang = tilesOverhang(h, w);
  const yTiles = overhang ? makeF32(backend, [n, 2 * th, 2 * tw, cout]) : y;
  const v = makeF32(backend, [16, planeFloats(tiles, cin)]);
  const m = makeF32(backend, [16, planeFloats(tiles, cout)]);
  for (let n0 = 0; n0 < n; n0 += images) {
    const nc = Math.min(images, n - n0);
    const vAt = backend.getMemoryOffset(v.dataId);
    const mAt = backend.getMemoryOffset(m.dataId);
    kernels.inputTiles(backend.getMemoryOffset(xPad.dataId) + 4 * n0 * (2 * th + 2) * (2 * tw + 2) * cin, vAt, nc);
    kernels.gemm(vAt, backend.getMemoryOffset(wt.dataId), mAt, nc * perImage);
    kernels.outputTiles(mAt, backend.getMemoryOffset(yTiles.dataId) + 4 * n0 * 4 * perImage * cout, nc * th);
  }
  disposeInfo(backend, v, m, xPad, wt);
  if (overhang) {
    cropFromTiles(backend, yTiles, y);
    disposeInfo(backend, yTiles);
  }
  return y;
}
