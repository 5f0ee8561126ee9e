/**
 * The Winograd F(2x2, 3x3) weight gradient's SIMD loops (Lavin & Gray 2015, "Fast Algorithms for
 * Convolutional Neural Networks", arXiv:1509.09308): the two tile transforms and the 16 products,
 * over 4 channels at a time, assembled for one layer shape (the row lengths and the chunk's tile
 * count become constant offsets) and run on the wasm backend's heap. Each 2x2 block of output
 * positions is a tile; a chunk holds the tiles of whole images, `tiles` of them in all.
 *
 * - `inputTiles(x, v, images)`: x is the layer input zero-padded to [images, 2TH + 2, 2TW + 2, cin]
 *   (the input at row 1, column 1; TH = ceil(H / 2), TW = ceil(W / 2)); writes
 *   V[ξν][t][c] = (Bᵀ d B)[ξ][ν] of each tile's 4x4 input patch d, as [16, tiles, cin].
 * - `gradTiles(dy, u, rows)`: dy is the output gradient zero-padded to [images, 2TH, 2TW, cout];
 *   writes, for the tiles of its first `rows` tile rows, U[ξν][t][c] = (A g Aᵀ)[ξ][ν] of each
 *   tile's 2x2 gradient g, as [16, tiles, cout].
 * - `products(u, v, c, count)`: C[ξν] += U[ξν]ᵀ V[ξν] over the first `count` tiles, C as
 *   [16, cout, cin].
 *
 * Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]; A = [[1, 0], [1, 1], [1, -1], [0, -1]].
 * Pointers are byte offsets on the heap; cin and cout must be multiples of 4.
 */
import {
  assemble,
  bump,
  forRange,
  GT_U,
  select,
  ADD,
  fadd,
  fneg,
  forCount,
  forUp,
  fsub,
  get,
  heapMemory,
  i32,
  isShared,
  load,
  MUL,
  fmul,
  loadSplat,
  zero,
  plus,
  set,
  store,
  I32,
  V128,
  type Code,
  type Fn,
} from './wasm-assembler.js';
import { splitParts } from './kernel-threads.js';

/** A layer shape the transforms are assembled for. */
export interface WinogradShape {
  /** Input (= output) height and width. */
  h: number;
  w: number;
  cin: number;
  cout: number;
  /** Tiles in a chunk (the planes of V and U hold `planeFloats(tiles, channels)` floats each). */
  tiles: number;
}

export interface WinogradKernels {
  inputTiles(x: number, v: number, images: number): void;
  gradTiles(dy: number, u: number, rows: number): void;
  products(u: number, v: number, c: number, count: number): void;
}

/**
 * Floats of one of V's or U's 16 planes for `tiles` tiles of `channels`: an odd number of 16-float
 * cache lines. The transforms write the 16 planes at once, and planes a multiple of 4 KB apart
 * start on the same cache sets (the gradient transform ran 2.3x slower so).
 */
export function planeFloats(tiles: number, channels: number): number {
  const lines = Math.ceil((tiles * channels) / 16);
  return 16 * (lines % 2 === 1 ? lines : lines + 1);
}

/**
 * Images per chunk of a batch of `n`: as many as keep a chunk's V and U (or M), 16 (cin + cout)
 * floats a tile, within `maxTileFloats`, spread as evenly as the count allows; undefined where one
 * image alone exceeds it.
 */
export function imagesPerChunk(n: number, perImage: number, cin: number, cout: number, maxTileFloats: number): number | undefined {
  const byMemory = Math.floor(maxTileFloats / (16 * (cin + cout) * perImage));
  if (byMemory < 1) return undefined;
  return Math.ceil(n / Math.ceil(n / byMemory));
}

/** Tiles per image: ceil(H / 2) x ceil(W / 2). */
export function tileGrid(h: number, w: number): [number, number] {
  return [Math.ceil(h / 2), Math.ceil(w / 2)];
}

// inputTiles(x0, v1, images2); locals b3 ty4 tx5 k6 p7 q8 o9 | d10..25 r26..41 t42
function inputTiles(s: WinogradShape): Fn {
  const [th, tw] = tileGrid(s.h, s.w);
  const wp = 2 * tw + 2;
  const px = s.cin * 4; // bytes per position
  const d = (a: number, b: number): number => 10 + 4 * a + b;
  const r = (a: number, b: number): number => 26 + 4 * a + b;
  const loads: Code = [];
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) loads.push(load(get(8), (a * wp + b) * px), set(d(a, b)));
  // rows of Bᵀ d
  const rows: Code = [];
  for (let b = 0; b < 4; b++) {
    rows.push(fsub(get(d(0, b)), get(d(2, b))), set(r(0, b)));
    rows.push(fadd(get(d(1, b)), get(d(2, b))), set(r(1, b)));
    rows.push(fsub(get(d(2, b)), get(d(1, b))), set(r(2, b)));
    rows.push(fsub(get(d(1, b)), get(d(3, b))), set(r(3, b)));
  }
  // columns: (Bᵀ d) B, stored to V[ξν][t][c]
  const plane = 4 * planeFloats(s.tiles, s.cin);
  const stores: Code = [];
  for (let a = 0; a < 4; a++) {
    const cols = [
      fsub(get(r(a, 0)), get(r(a, 2))),
      fadd(get(r(a, 1)), get(r(a, 2))),
      fsub(get(r(a, 2)), get(r(a, 1))),
      fsub(get(r(a, 1)), get(r(a, 3))),
    ];
    cols.forEach((value, b) => stores.push(store(get(9), value, (4 * a + b) * plane)));
  }
  return {
    name: 'inputTiles',
    params: 3,
    locals: [
      [7, I32],
      [33, V128],
    ],
    body: [
      forUp(3, 2, 1, [
        forCount(4, th, [
          plus(get(0), [get(4), i32(2 * wp * px), MUL]),
          set(7),
          forCount(5, tw, [
            get(7),
            set(8),
            get(1),
            set(9),
            forCount(6, s.cin / 4, [loads, rows, stores, bump(8, i32(16)), bump(9, i32(16))]),
            bump(7, i32(2 * px)),
            bump(1, i32(px)),
          ]),
        ]),
        bump(0, i32((2 * th + 2) * wp * px)),
      ]),
    ],
  };
}

// gradTiles(dy0, u1, rows2); locals R3 tx4 k5 p6 q7 o8 | g9..12 R13..20
// `rows` tile rows of whole images (TH per image) of dy, padded to [images, 2TH, 2TW, cout]:
// tile row R starts at dy + 2R 2TW cout floats, and its tiles are 2 cout floats apart.
function gradTiles(s: WinogradShape): Fn {
  const [, tw] = tileGrid(s.h, s.w);
  const wq = 2 * tw;
  const px = s.cout * 4;
  const g = (a: number, b: number): number => 9 + 2 * a + b;
  const R = (i: number, b: number): number => 13 + 2 * i + b;
  const loads: Code = [];
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) loads.push(load(get(7), (a * wq + b) * px), set(g(a, b)));
  // rows of A g
  const rows: Code = [];
  for (let b = 0; b < 2; b++) {
    rows.push(get(g(0, b)), set(R(0, b)));
    rows.push(fadd(get(g(0, b)), get(g(1, b))), set(R(1, b)));
    rows.push(fsub(get(g(0, b)), get(g(1, b))), set(R(2, b)));
    rows.push(fneg(get(g(1, b))), set(R(3, b)));
  }
  // columns: (A g) Aᵀ, stored to U[ξν][t][c]
  const plane = 4 * planeFloats(s.tiles, s.cout);
  const stores: Code = [];
  for (let i = 0; i < 4; i++) {
    const cols = [get(R(i, 0)), fadd(get(R(i, 0)), get(R(i, 1))), fsub(get(R(i, 0)), get(R(i, 1))), fneg(get(R(i, 1)))];
    cols.forEach((value, b) => stores.push(store(get(8), value, (4 * i + b) * plane)));
  }
  return {
    name: 'gradTiles',
    params: 3,
    locals: [
      [6, I32],
      [12, V128],
    ],
    body: [
      forUp(3, 2, 1, [
        plus(get(0), [get(3), i32(2 * wq * px), MUL]),
        set(6),
        forCount(4, tw, [
          get(6),
          set(7),
          get(1),
          set(8),
          forCount(5, s.cout / 4, [loads, rows, stores, bump(7, i32(16)), bump(8, i32(16))]),
          bump(6, i32(2 * px)),
          bump(1, i32(px)),
        ]),
      ]),
    ],
  };
}

/** Tiles per block of `products`: a block's rows of U and V stay in the first-level cache. */
export const PRODUCT_BLOCK = 64;

// products(u0, v1, c2, count3, planes4)
// C[ξν][m][n] += Σ_{t < count} U[ξν][t][m] V[ξν][t][n] for `planes` consecutive ξν: a register block
// of 4 rows of C (4 of cout) by 8 columns (8 of cin; a last block of 4 where cin is 4 mod 8), over
// blocks of PRODUCT_BLOCK tiles; one splat of U and two vectors of V per tile and row pair. No
// packing of either operand (XNNPACK packs its right operand on every call: most of these
// products' time when they were its matmuls).
function products(s: WinogradShape): Fn {
  const { cin, cout, tiles } = s;
  const wide = cin - (cin % 8);
  // locals
  const [E, K0, KEND, M, N, PA, PB, PBEND, UE, VE, CE, PC] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const acc = (i: number, j: number): number => 17 + 2 * i + j;
  const [B, A] = [25, 27];
  const block = (width: 4 | 8): Code => {
    const vs = width / 4;
    const body: Code = [load(get(PB)), set(B)];
    if (vs === 2) body.push(load(get(PB), 16), set(B + 1));
    for (let i = 0; i < 4; i++) {
      body.push(loadSplat(get(PA), 4 * i), set(A));
      for (let j = 0; j < vs; j++) body.push(fadd(get(acc(i, j)), fmul(get(A), get(B + j))), set(acc(i, j)));
    }
    body.push(bump(PA, i32(cout * 4)));
    const loadsC: Code = [];
    const storesC: Code = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < vs; j++) {
        loadsC.push(load(get(PC), i * cin * 4 + j * 16), set(acc(i, j)));
        storesC.push(store(get(PC), get(acc(i, j)), i * cin * 4 + j * 16));
      }
    }
    const nAt = width === 8 ? get(N) : i32(wide);
    const vAt = (k: number): Code => plus(get(VE), [[get(k), i32(cin * 4), MUL], [nAt, i32(4), MUL], ADD]);
    return [
      plus(get(CE), [[get(M), i32(cin * 4), MUL], [nAt, i32(4), MUL], ADD]),
      set(PC),
      loadsC,
      plus(get(UE), [[get(K0), i32(cout * 4), MUL], [get(M), i32(4), MUL], ADD]),
      set(PA),
      vAt(KEND),
      set(PBEND),
      forRange(PB, vAt(K0), get(PBEND), cin * 4, body),
      storesC,
    ];
  };
  return {
    name: 'products',
    params: 5,
    locals: [
      [12, I32],
      [11, V128],
    ],
    body: [
      get(0),
      set(UE),
      get(1),
      set(VE),
      get(2),
      set(CE),
      forUp(E, 4, 1, [
        forRange(K0, i32(0), get(3), PRODUCT_BLOCK, [
          select(get(3), plus(get(K0), i32(PRODUCT_BLOCK)), [plus(get(K0), i32(PRODUCT_BLOCK)), get(3), GT_U]),
          set(KEND),
          forRange(M, i32(0), i32(cout), 4, [wide > 0 ? forRange(N, i32(0), i32(wide), 8, block(8)) : [], wide < cin ? block(4) : []]),
        ]),
        bump(UE, i32(4 * planeFloats(tiles, cout))),
        bump(VE, i32(4 * planeFloats(tiles, cin))),
        bump(CE, i32(cout * cin * 4)),
      ]),
    ],
  };
}

// gemm(v0, u1, m2, count3, planes4)
// The forward's products M[ξν][t][co] = Σ_ci V[ξν][t][ci] W[ξν][ci][co] for the first `count`
// tiles (a multiple of 4) of `planes` consecutive ξν: a register block of 4 tiles by 8 output
// channels (a last block of 4 where cout is 4 mod 8) over every input channel; W[ξν] (cin x cout)
// stays in the first-level cache.
function gemm(s: WinogradShape): Fn {
  const { cin, cout, tiles } = s;
  const wide = cout - (cout % 8);
  const [E, T, N, PA, PB, PBEND, PC, VE, UE, ME] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const acc = (i: number, j: number): number => 15 + 2 * i + j;
  const [B, A] = [23, 25];
  const block = (width: 4 | 8): Code => {
    const vs = width / 4;
    const body: Code = [load(get(PB)), set(B)];
    if (vs === 2) body.push(load(get(PB), 16), set(B + 1));
    for (let i = 0; i < 4; i++) {
      body.push(loadSplat(get(PA), i * cin * 4), set(A));
      for (let j = 0; j < vs; j++) body.push(fadd(get(acc(i, j)), fmul(get(A), get(B + j))), set(acc(i, j)));
    }
    body.push(bump(PA, i32(4)));
    const zeros: Code = [];
    const stores: Code = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < vs; j++) {
        zeros.push(zero(), set(acc(i, j)));
        stores.push(store(get(PC), get(acc(i, j)), i * cout * 4 + j * 16));
      }
    }
    const nAt = width === 8 ? get(N) : i32(wide);
    return [
      zeros,
      plus(get(ME), [[get(T), i32(cout * 4), MUL], [nAt, i32(4), MUL], ADD]),
      set(PC),
      plus(get(VE), [get(T), i32(cin * 4), MUL]),
      set(PA),
      plus(get(UE), [nAt, i32(4), MUL]),
      set(PB),
      plus(get(PB), i32(cin * cout * 4)),
      set(PBEND),
      forRange(PB, get(PB), get(PBEND), cout * 4, body),
      stores,
    ];
  };
  return {
    name: 'gemm',
    params: 5,
    locals: [
      [10, I32],
      [11, V128],
    ],
    body: [
      get(0),
      set(VE),
      get(1),
      set(UE),
      get(2),
      set(ME),
      forUp(E, 4, 1, [
        forRange(T, i32(0), get(3), 4, [wide > 0 ? forRange(N, i32(0), i32(wide), 8, block(8)) : [], wide < cout ? block(4) : []]),
        bump(VE, i32(4 * planeFloats(tiles, cin))),
        bump(UE, i32(cin * cout * 4)),
        bump(ME, i32(4 * planeFloats(tiles, cout))),
      ]),
    ],
  };
}

// outputTiles(m0, y1, rows2); locals R3 tx4 k5 p6 q7 o8 | m9..24 r25..32
// Y = Aᵀ M A for the tiles of the first `rows` tile rows, written to y as
// [images, 2TH, 2TW, cout] (tile row R starts at y + 2R 2TW cout floats).
function outputTiles(s: WinogradShape): Fn {
  const [, tw] = tileGrid(s.h, s.w);
  const wq = 2 * tw;
  const px = s.cout * 4;
  const plane = 4 * planeFloats(s.tiles, s.cout);
  const m = (e: number): number => 9 + e;
  const r = (a: number, nu: number): number => 25 + 4 * a + nu;
  const loads: Code = [];
  for (let e = 0; e < 16; e++) loads.push(load(get(8), e * plane), set(m(e)));
  const rows: Code = [];
  for (let nu = 0; nu < 4; nu++) {
    rows.push(fadd(fadd(get(m(nu)), get(m(4 + nu))), get(m(8 + nu))), set(r(0, nu)));
    rows.push(fsub(fsub(get(m(4 + nu)), get(m(8 + nu))), get(m(12 + nu))), set(r(1, nu)));
  }
  const stores: Code = [];
  for (let a = 0; a < 2; a++) {
    stores.push(store(get(7), fadd(fadd(get(r(a, 0)), get(r(a, 1))), get(r(a, 2))), a * wq * px));
    stores.push(store(get(7), fsub(fsub(get(r(a, 1)), get(r(a, 2))), get(r(a, 3))), (a * wq + 1) * px));
  }
  return {
    name: 'outputTiles',
    params: 3,
    locals: [
      [6, I32],
      [24, V128],
    ],
    body: [
      forUp(3, 2, 1, [
        plus(get(1), [get(3), i32(2 * wq * px), MUL]),
        set(6),
        forCount(4, tw, [
          get(6),
          set(7),
          get(0),
          set(8),
          forCount(5, s.cout / 4, [loads, rows, stores, bump(7, i32(16)), bump(8, i32(16))]),
          bump(6, i32(2 * px)),
          bump(0, i32(px)),
        ]),
      ]),
    ],
  };
}

/** The weight gradient's module for one shape. */
export function winogradModuleBytes(s: WinogradShape, shared: boolean): Uint8Array<ArrayBuffer> {
  return assemble([inputTiles(s), gradTiles(s), products(s)], shared);
}

/** The forward convolution's module for one shape (`tiles` a multiple of 4). */
export function winogradForwardModuleBytes(s: WinogradShape, shared: boolean): Uint8Array<ArrayBuffer> {
  return assemble([inputTiles(s), gemm(s), outputTiles(s)], shared);
}

/** Shapes kept compiled; past it the caches start over (a training run uses a handful). */
const MAX_SHAPES = 64;
const modules = new Map<string, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, object>>();

/** A module's instance on `backend`'s heap, and a way to run one of its exports split into parts. */
interface Instantiated {
  /** Runs `fn` once per part of `count` items (at most one part per kernel thread); `args` gives a part's arguments. */
  split: (fn: string, count: number, args: (from: number, to: number) => number[]) => void;
}

/** Compiles (once per key) and instantiates (once per heap) a module, or undefined where it cannot run. */
function instantiate<K extends object>(
  backend: { wasm: unknown },
  key: string,
  bytes: (shared: boolean) => Uint8Array<ArrayBuffer>,
  wrap: (m: Instantiated) => K,
): K | undefined {
  const memory = heapMemory(backend);
  if (memory === undefined) return undefined;
  const shared = isShared(memory);
  const fullKey = `${key},${shared}`;
  let byKey = instances.get(memory);
  const cached = byKey?.get(fullKey);
  if (cached !== undefined) return cached as K;
  let mod = modules.get(fullKey);
  if (mod === undefined) {
    if (modules.size >= MAX_SHAPES) {
      modules.clear();
      byKey?.clear();
    }
    const b = bytes(shared);
    mod = WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
    modules.set(fullKey, mod);
  }
  if (mod === null) return undefined;
  const module = mod;
  const raw = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const kernels = wrap({
    split: (fn, count, args) => splitParts(memory, module, raw, fn, count, args),
  });
  if (byKey === undefined) instances.set(memory, (byKey = new Map()));
  byKey.set(fullKey, kernels);
  return kernels;
}

const shapeKey = (kind: string, s: WinogradShape): string => `${kind},${s.h},${s.w},${s.cin},${s.cout},${s.tiles}`;

/**
 * The weight gradient's kernels for shape `s` on `backend`'s heap, or undefined where they cannot
 * run (no SIMD, no reachable heap). Each call is split over the kernel threads (`runParts`): the
 * transforms by images or tile rows, the products by ξν.
 */
export function winogradKernels(backend: { wasm: unknown }, s: WinogradShape): WinogradKernels | undefined {
  const [th, tw] = tileGrid(s.h, s.w);
  const xImage = (2 * th + 2) * (2 * tw + 2) * s.cin * 4;
  return instantiate(
    backend,
    shapeKey('filter', s),
    (shared) => winogradModuleBytes(s, shared),
    ({ split }): WinogradKernels => ({
      inputTiles: (x, v, images) => split('inputTiles', images, (a, b) => [x + a * xImage, v + a * th * tw * s.cin * 4, b - a]),
      gradTiles: (dy, u, rows) => split('gradTiles', rows, (a, b) => [dy + a * 4 * tw * s.cout * 4, u + a * tw * s.cout * 4, b - a]),
      products: (u, v, c, count) =>
        split('products', 16, (a, b) => [
          u + a * 4 * planeFloats(s.tiles, s.cout),
          v + a * 4 * planeFloats(s.tiles, s.cin),
          c + a * s.cout * s.cin * 4,
          count,
          b - a,
        ]),
    }),
  );
}

/** The forward convolution's kernels (see `winogradForwardKernels`). */
export interface WinogradForwardKernels {
  /** V of `images` padded images at x (as the weight gradient's). */
  inputTiles(x: number, v: number, images: number): void;
  /** M = V W for the first `count` tiles (rounded up to a multiple of 4 inside), W as [16, cin, cout]. */
  gemm(v: number, w: number, m: number, count: number): void;
  /** Y = Aᵀ M A for the tiles of the first `rows` tile rows, y as [images, 2TH, 2TW, cout]. */
  outputTiles(m: number, y: number, rows: number): void;
}

/**
 * The forward convolution's kernels for shape `s` (`tiles` a multiple of 4), or undefined where
 * they cannot run: the input transform, the 16 products V[ξν] W[ξν] and the output transform,
 * each split over the kernel threads (by images, ξν and tile rows).
 */
export function winogradForwardKernels(backend: { wasm: unknown }, s: WinogradShape): WinogradForwardKernels | undefined {
  const [th, tw] = tileGrid(s.h, s.w);
  const xImage = (2 * th + 2) * (2 * tw + 2) * s.cin * 4;
  return instantiate(
    backend,
    shapeKey('forward', s),
    (shared) => winogradForwardModuleBytes(s, shared),
    ({ split }): WinogradForwardKernels => ({
      inputTiles: (x, v, images) => split('inputTiles', images, (a, b) => [x + a * xImage, v + a * th * tw * s.cin * 4, b - a]),
      gemm: (v, w, m, count) =>
        split('gemm', 16, (a, b) => [
          v + a * 4 * planeFloats(s.tiles, s.cin),
          w + a * s.cin * s.cout * 4,
          m + a * 4 * planeFloats(s.tiles, s.cout),
          4 * Math.ceil(count / 4),
          b - a,
        ]),
      outputTiles: (m, y, rows) => split('outputTiles', rows, (a, b) => [m + a * tw * s.cout * 4, y + a * 4 * tw * s.cout * 4, b - a]),
    }),
  );
}
