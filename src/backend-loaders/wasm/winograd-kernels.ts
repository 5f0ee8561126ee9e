/**
 * The two tile transforms of the Winograd F(2x2, 3x3) weight gradient (Lavin & Gray 2015, "Fast
 * Algorithms for Convolutional Neural Networks", arXiv:1509.09308), as WebAssembly SIMD loops
 * over 4 channels at a time, assembled for one layer shape (the row lengths and the chunk's tile
 * count become constant offsets) and run on the wasm backend's heap. Each 2x2 block of output
 * positions is a tile; a chunk holds the tiles of whole images, `tiles` of them in all.
 *
 * - `inputTiles(x, v, images)`: x is the layer input zero-padded to [images, 2TH + 2, 2TW + 2, cin]
 *   (the input at row 1, column 1; TH = ceil(H / 2), TW = ceil(W / 2)); writes
 *   V[ξν][t][c] = (Bᵀ d B)[ξ][ν] of each tile's 4x4 input patch d, as [16, tiles, cin].
 * - `gradTiles(dy, u, used)`: dy is the output gradient zero-padded to [images, 2TH, 2TW, cout];
 *   writes, for the first `used` tiles, Uᵀ[ξν][c][t] = (A g Aᵀ)[ξ][ν] of each tile's 2x2 gradient g, as [16, cout, tiles]
 *   (transposed, so that the 16 products Uᵀ[ξν] V[ξν] are plain matmuls).
 *
 * Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]; A = [[1, 0], [1, 1], [1, -1], [0, -1]].
 * Pointers are byte offsets on the heap; cin and cout must be multiples of 4.
 */
import {
  assemble,
  bump,
  DIV_U,
  forRange,
  GT_U,
  select,
  SUB,
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
  plus,
  set,
  store,
  storeLane,
  I32,
  V128,
  type Code,
  type Fn,
} from './wasm-assembler.js';

/** A layer shape the transforms are assembled for. */
export interface WinogradShape {
  /** Input (= output) height and width. */
  h: number;
  w: number;
  cin: number;
  cout: number;
  /** Tiles in a chunk: the tile stride of V and Uᵀ. */
  tiles: number;
}

export interface WinogradKernels {
  inputTiles(x: number, v: number, images: number): void;
  gradTiles(dy: number, u: number, used: number): void;
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
  const plane = s.tiles * px;
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

/** Tiles per block of `gradTiles`: a block's rows of Uᵀ (16 x cout of them) get whole cache lines. */
export const GRAD_BLOCK = 16;

// gradTiles(dy0, u1, used2); locals t03 end4 k5 t6 row7 q8 o9 | g10..13 R14..21 v22
// Tile blocks outermost, then channel groups, then the block's tiles: each lane store goes to one
// of the 16 x cout rows of Uᵀ, and a block writes each row's GRAD_BLOCK consecutive floats in a
// row (tile-major order would touch every row, a page apart, once per tile).
function gradTiles(s: WinogradShape): Fn {
  const [, tw] = tileGrid(s.h, s.w);
  const wq = 2 * tw;
  const px = s.cout * 4;
  const g = (a: number, b: number): number => 10 + 2 * a + b;
  const R = (i: number, b: number): number => 14 + 2 * i + b;
  const loads: Code = [];
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) loads.push(load(get(8), (a * wq + b) * px), set(g(a, b)));
  // rows of A g
  const rows: Code = [];
  for (let b = 0; b < 2; b++) {
    rows.push(get(g(0, b)), set(R(0, b)));
    rows.push(fadd(get(g(0, b)), get(g(1, b))), set(R(1, b)));
    rows.push(fsub(get(g(0, b)), get(g(1, b))), set(R(2, b)));
    rows.push(fneg(get(g(1, b))), set(R(3, b)));
  }
  // columns: (A g) Aᵀ, stored transposed to Uᵀ[ξν][c][t]: lane l of channel group k is row 4k + l
  const row = s.tiles * 4; // bytes per row of Uᵀ
  const stores: Code = [];
  for (let i = 0; i < 4; i++) {
    const cols = [get(R(i, 0)), fadd(get(R(i, 0)), get(R(i, 1))), fsub(get(R(i, 0)), get(R(i, 1))), fneg(get(R(i, 1)))];
    cols.forEach((value, b) => {
      stores.push(value, set(22));
      for (let l = 0; l < 4; l++) stores.push(storeLane(get(9), get(22), l, ((4 * i + b) * s.cout + l) * row));
    });
  }
  // tile t is tile row t / TW (of all images: each image is TH whole tile rows), column t % TW;
  // its top-left gradient sits at dy + (2 (t / TW) 2TW + 2 (t % TW)) cout floats
  const tileAt: Code = [
    get(6),
    i32(tw),
    DIV_U,
    set(7),
    plus(get(0), [
      [[get(7), i32(2 * wq * px), MUL], [[get(6), [get(7), i32(tw), MUL], SUB], i32(2 * px), MUL], ADD],
      [get(5), i32(16), MUL],
      ADD,
    ]),
    set(8),
    plus(get(1), [[get(6), i32(4), MUL], [get(5), i32(4 * row), MUL], ADD]),
    set(9),
  ];
  return {
    name: 'gradTiles',
    params: 3,
    locals: [
      [7, I32],
      [13, V128],
    ],
    body: [
      forRange(3, i32(0), get(2), GRAD_BLOCK, [
        select(get(2), plus(get(3), i32(GRAD_BLOCK)), [plus(get(3), i32(GRAD_BLOCK)), get(2), GT_U]),
        set(4),
        forCount(5, s.cout / 4, [forRange(6, get(3), get(4), 1, [tileAt, loads, rows, stores])]),
      ]),
    ],
  };
}

/** The module's bytes for one shape. */
export function winogradModuleBytes(s: WinogradShape, shared: boolean): Uint8Array<ArrayBuffer> {
  return assemble([inputTiles(s), gradTiles(s)], shared);
}

/** Shapes kept compiled; past it the caches start over (a training run uses a handful). */
const MAX_SHAPES = 64;
const modules = new Map<string, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, WinogradKernels>>();

/** The transforms for shape `s` on `backend`'s heap, or undefined where they cannot run (no SIMD, no reachable heap). */
export function winogradKernels(backend: { wasm: unknown }, s: WinogradShape): WinogradKernels | undefined {
  const memory = heapMemory(backend);
  if (memory === undefined) return undefined;
  const shared = isShared(memory);
  const key = `${s.h},${s.w},${s.cin},${s.cout},${s.tiles},${shared}`;
  let byShape = instances.get(memory);
  const cached = byShape?.get(key);
  if (cached !== undefined) return cached;
  let mod = modules.get(key);
  if (mod === undefined) {
    if (modules.size >= MAX_SHAPES) {
      modules.clear();
      byShape?.clear();
    }
    const bytes = winogradModuleBytes(s, shared);
    mod = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    modules.set(key, mod);
  }
  if (mod === null) return undefined;
  const kernels = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as WinogradKernels;
  if (byShape === undefined) instances.set(memory, (byShape = new Map()));
  byShape.set(key, kernels);
  return kernels;
}
