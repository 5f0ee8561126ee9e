/**
 * The weight gradient of a 3x3, stride-1, 'same' convolution (NHWC, channel counts multiples of
 * 4) by Winograd F(2x2, 3x3): with the forward written Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for each 2x2
 * output tile, the gradient of the 3x3 filter g is dg = Gᵀ[Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B)]G. The sum
 * over tiles and channels is 16 products M[ξν] = U[ξν]ᵀ V[ξν] ([cout, tiles] x [tiles, cin]),
 * 2.25x fewer multiply-adds than the im2col matmul (less at odd sizes, whose last tile row and
 * column are half outside: 1.72x at 7x7), and no im2col copy. Transforms and products are SIMD
 * loops (winograd-kernels.ts); the products are not XNNPACK matmuls, which pack their right
 * operand, here as large as the layer's input, on every call (2.3x slower in all). Tiles are
 * processed in chunks of whole images to bound memory.
 */
import * as tf from '../../tf.js';
import { disposeInfo, f32, makeF32, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { imagesPerChunk, planeFloats, tileGrid, winogradKernels } from './winograd-kernels.js';
import { padTileInput, padToTiles, tilesOverhang } from './winograd-pad.js';

/** Most floats of V and U (or M) in one chunk (16 Mi floats = 64 MB). */
export const MAX_TILE_FLOATS = 16 * 1024 * 1024;

/** G of F(2x2, 3x3), 4x3. */
export const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

/** True when `winogradFilterGradient` computes this convolution's weight gradient. */
export function winogradApplies(info: tf.backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    p.top === 1 &&
    p.left === 1 &&
    p.bottom === 1 &&
    p.right === 1 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0
  );
}

/**
 * dW [3, 3, cin, cout] of x [N, H, W, cin] and dy [N, H, W, cout], or undefined where the SIMD
 * transforms cannot run here or one image alone exceeds `maxTileFloats` (the caller then takes
 * its im2col path). `maxTileFloats` bounds a chunk (tests pass a small one to exercise chunking).
 */
export function winogradFilterGradient(
  backend: KernelArgs['backend'],
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  maxTileFloats = MAX_TILE_FLOATS,
): TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = info;
  const [th, tw] = tileGrid(h, w);
  const perImage = th * tw;
  const images = imagesPerChunk(n, perImage, cin, cout, maxTileFloats);
  if (images === undefined) return undefined;
  const tiles = images * perImage;
  const kernels = winogradKernels(backend, { h, w, cin, cout, tiles });
  if (kernels === undefined) return undefined;

  // x zero-padded to [N, 2TH + 2, 2TW + 2, cin] at (1, 1); dy to [N, 2TH, 2TW, cout] at odd sizes
  const hp = 2 * th + 2;
  const wp = 2 * tw + 2;
  const xPad = padTileInput(backend, x);
  const padDy = tilesOverhang(h, w);
  const dyPad = padDy ? padToTiles(backend, dy) : dy;

  const v = makeF32(backend, [16, planeFloats(tiles, cin)]);
  const u = makeF32(backend, [16, planeFloats(tiles, cout)]);
  const products = makeF32(backend, [16, cout, cin]); // M[ξν][co][ci], summed over the chunks
  f32(backend, products).fill(0);
  for (let n0 = 0; n0 < n; n0 += images) {
    const nc = Math.min(images, n - n0);
    const xAt = backend.getMemoryOffset(xPad.dataId) + 4 * n0 * hp * wp * cin;
    const dyAt = backend.getMemoryOffset(dyPad.dataId) + 4 * n0 * 4 * th * tw * cout;
    const vAt = backend.getMemoryOffset(v.dataId);
    const uAt = backend.getMemoryOffset(u.dataId);
    kernels.inputTiles(xAt, vAt, nc);
    kernels.gradTiles(dyAt, uAt, nc * th);
    kernels.products(uAt, vAt, backend.getMemoryOffset(products.dataId), nc * perImage);
  }
  disposeInfo(backend, v, u, xPad);
  if (padDy) disposeInfo(backend, dyPad);

  // dW[i][j][ci][co] = Σ_ξν G[ξ][i] M[ξν][co][ci] G[ν][j], separably on whole planes of cout x cin
  // (T[i][ν] = Σ_ξ G[ξ][i] M[ξν], then Σ_ν T[i][ν] G[ν][j]), then transposed to [ci][co]
  const size = cin * cout;
  const t = new Float32Array(12 * size);
  const plane = new Float32Array(size);
  const dw = makeF32(backend, [3, 3, cin, cout]);
  const sum = f32(backend, products); // views taken after the last allocation (a heap that grows detaches earlier ones)
  const out = f32(backend, dw);
  for (let i = 0; i < 3; i++) {
    for (let nu = 0; nu < 4; nu++) {
      const dst = t.subarray((4 * i + nu) * size, (4 * i + nu + 1) * size);
      for (let xi = 0; xi < 4; xi++) {
        const c = G[xi]![i]!;
        if (c === 0) continue;
        const base = (4 * xi + nu) * size;
        for (let k = 0; k < size; k++) dst[k] += c * sum[base + k]!;
      }
    }
  }
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      plane.fill(0);
      for (let nu = 0; nu < 4; nu++) {
        const c = G[nu]![j]!;
        if (c === 0) continue;
        const base = (4 * i + nu) * size;
        for (let k = 0; k < size; k++) plane[k] += c * t[base + k]!;
      }
      const o = (i * 3 + j) * size;
      for (let co = 0; co < cout; co++) for (let ci = 0; ci < cin; ci++) out[o + ci * cout + co] = plane[co * cin + ci]!;
    }
  }
  disposeInfo(backend, products);
  return dw;
}
