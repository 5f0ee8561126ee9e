/**
 * The layouts the Winograd F(2x2, 3x3) kernels read and write (winograd-kernels.ts): an input
 * zero-padded onto whole 4x4 tile patches, and an output or output gradient on whole 2x2 tiles.
 */
import { heapF32, makeF32, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { tileGrid } from './winograd-kernels.js';

type Backend = KernelArgs['backend'];

/** x [N, H, W, C] zero-padded to [N, 2TH + 2, 2TW + 2, C], x at row 1, column 1 (TH = ceil(H / 2), TW = ceil(W / 2)). */
export function padTileInput(backend: Backend, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [th, tw] = tileGrid(h, w);
  const hp = 2 * th + 2;
  const wp = 2 * tw + 2;
  const out = makeF32(backend, [n, hp, wp, c]);
  const heap = heapF32(backend, x, out);
  const x0 = backend.getMemoryOffset(x.dataId) / 4;
  const p0 = backend.getMemoryOffset(out.dataId) / 4;
  heap.fill(0, p0, p0 + n * hp * wp * c);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const src = x0 + (b * h + y) * w * c;
      heap.copyWithin(p0 + ((b * hp + y + 1) * wp + 1) * c, src, src + w * c);
    }
  }
  return out;
}

/** True when H or W is odd: the tile grid [2TH, 2TW] is then larger than [H, W]. */
export function tilesOverhang(h: number, w: number): boolean {
  return h % 2 === 1 || w % 2 === 1;
}

/** t [N, H, W, C] zero-extended to the tile grid [N, 2TH, 2TW, C] (a new tensor; call only where `tilesOverhang`). */
export function padToTiles(backend: Backend, t: TensorInfo): TensorInfo {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const [th, tw] = tileGrid(h, w);
  const out = makeF32(backend, [n, 2 * th, 2 * tw, c]);
  const heap = heapF32(backend, t, out);
  const g0 = backend.getMemoryOffset(t.dataId) / 4;
  const q0 = backend.getMemoryOffset(out.dataId) / 4;
  heap.fill(0, q0, q0 + n * 4 * th * tw * c);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const src = g0 + (b * h + y) * w * c;
      heap.copyWithin(q0 + (b * 2 * th + y) * 2 * tw * c, src, src + w * c);
    }
  }
  return out;
}

/** The [N, H, W, C] corner of `tiled` [N, 2TH, 2TW, C], written into `out`. */
export function cropFromTiles(backend: Backend, tiled: TensorInfo, out: TensorInfo): void {
  const [n, h, w, c] = out.shape as [number, number, number, number];
  const [th, tw] = tileGrid(h, w);
  const heap = heapF32(backend, tiled, out);
  const s0 = backend.getMemoryOffset(tiled.dataId) / 4;
  const d0 = backend.getMemoryOffset(out.dataId) / 4;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const src = s0 + (b * 2 * th + y) * 2 * tw * c;
      heap.copyWithin(d0 + (b * h + y) * w * c, src, src + w * c);
    }
  }
}
