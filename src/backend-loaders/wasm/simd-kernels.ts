/**
 * A small WebAssembly module with 128-bit SIMD loops for the project's wasm kernels, assembled here
 * (no toolchain) and instantiated on the wasm backend's own memory, so that it reads and writes
 * tensors in place. Pointers are byte offsets on that heap (`backend.getMemoryOffset`); counts of
 * channels must be multiples of 4 (callers keep a JavaScript path for the rest). Browser-safe:
 * plain `WebAssembly`, synchronous on a module of ~1 KB.
 *
 * Functions (all arguments i32):
 * - `colSums(x, rows, c, s)`: s[k] += Σ_r x[r, k]; s[c + k] += Σ_r x[r, k]² (float32 accumulators
 *   in s; callers flush them into float64 every few rows).
 * - `colGradSums(x, dy, rows, c, m, s)`: s[k] += Σ dy[r, k]; s[c + k] += Σ dy[r, k] (x[r, k] - m[k]).
 * - `affine(x, y, rows, c, m, a, b)`: y[r, k] = (x[r, k] - m[k]) a[k] + b[k].
 * - `affineGrad(x, dy, dx, rows, c, m, a, b, d)`: dx[r, k] = dy[r, k] a[k] + (x[r, k] - m[k]) b[k] + d[k].
 * - `maxPoolGradRow(x, dy, dx, ow, c, rowBytes)`: one output row of a 2x2, stride-2, unpadded max
 *   pool's gradient: each dy goes to the first maximum of its window in row-major order (strict >,
 *   as the cpu backend), the other three positions get 0. x and dx point at the window's top row,
 *   rowBytes is an input row's length in bytes.
 * - `maxPoolGradImages(x, dy, dx, images, oh, ow, c, rowBytes, imageBytes)`: `maxPoolGradRow` for
 *   the oh output rows of each of `images` images.
 * - `gemmAcc(a, b, c, rows, k, n)`: C[rows, n] += A[rows, k] B[k, n] (row-major; n a multiple of 4).
 * `affine`, `affineGrad`, `gemmAcc` and `maxPoolGradImages` split their rows or images over the kernel threads
 * (kernel-threads.ts); the others run on the calling thread.
 */
import type { BackendWasm } from './kernel-utils.js';
import { splitParts } from './kernel-threads.js';
import {
  and,
  andnot,
  assemble,
  bitselect,
  bump,
  fadd,
  fgt,
  fmul,
  forUp,
  forRange,
  GE_U,
  GT_U,
  LT_U,
  loadSplat,
  select,
  ADD,
  AND,
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
  I32,
  V128,
  type Code,
  type Fn,
} from './wasm-assembler.js';

/** The exported functions of the module. */
export interface SimdKernels {
  colSums: (x: number, rows: number, c: number, s: number) => void;
  colGradSums: (x: number, dy: number, rows: number, c: number, m: number, s: number) => void;
  affine: (x: number, y: number, rows: number, c: number, m: number, a: number, b: number) => void;
  affineGrad: (x: number, dy: number, dx: number, rows: number, c: number, m: number, a: number, b: number, d: number) => void;
  maxPoolGradRow: (x: number, dy: number, dx: number, ow: number, c: number, rowBytes: number) => void;
  gemmAcc: (a: number, b: number, c: number, rows: number, k: number, n: number) => void;
  maxPoolGradImages: (
    x: number,
    dy: number,
    dx: number,
    images: number,
    oh: number,
    ow: number,
    c: number,
    rowBytes: number,
    imageBytes: number,
  ) => void;
}

// colSums(x0, rows1, c2, s3); locals r4 k5 c4_6 sp7 | v8
const colSums: Fn = {
  name: 'colSums',
  params: 4,
  locals: [
    [4, I32],
    [1, V128],
  ],
  body: [
    get(2),
    i32(4),
    MUL,
    set(6),
    forUp(4, 1, 1, [
      get(3),
      set(7),
      forUp(5, 2, 4, [
        load(get(0)),
        set(8),
        store(get(7), fadd(load(get(7)), get(8))),
        store(plus(get(7), get(6)), fadd(load(plus(get(7), get(6))), fmul(get(8), get(8)))),
        bump(0, i32(16)),
        bump(7, i32(16)),
      ]),
    ]),
  ],
};

// colGradSums(x0, dy1, rows2, c3, m4, s5); locals r6 k7 c4_8 sp9 mp10 | g11
const colGradSums: Fn = {
  name: 'colGradSums',
  params: 6,
  locals: [
    [5, I32],
    [1, V128],
  ],
  body: [
    get(3),
    i32(4),
    MUL,
    set(8),
    forUp(6, 2, 1, [
      get(5),
      set(9),
      get(4),
      set(10),
      forUp(7, 3, 4, [
        load(get(1)),
        set(11),
        store(get(9), fadd(load(get(9)), get(11))),
        store(plus(get(9), get(8)), fadd(load(plus(get(9), get(8))), fmul(get(11), fsub(load(get(0)), load(get(10)))))),
        bump(0, i32(16)),
        bump(1, i32(16)),
        bump(9, i32(16)),
        bump(10, i32(16)),
      ]),
    ]),
  ],
};

// affine(x0, y1, rows2, c3, m4, a5, b6); locals r7 k8 mp9 ap10 bp11
const affine: Fn = {
  name: 'affine',
  params: 7,
  locals: [[5, I32]],
  body: [
    forUp(7, 2, 1, [
      get(4),
      set(9),
      get(5),
      set(10),
      get(6),
      set(11),
      forUp(8, 3, 4, [
        store(get(1), fadd(fmul(fsub(load(get(0)), load(get(9))), load(get(10))), load(get(11)))),
        bump(0, i32(16)),
        bump(1, i32(16)),
        bump(9, i32(16)),
        bump(10, i32(16)),
        bump(11, i32(16)),
      ]),
    ]),
  ],
};

// affineGrad(x0, dy1, dx2, rows3, c4, m5, a6, b7, d8); locals r9 k10 mp11 ap12 bp13 dp14
const affineGrad: Fn = {
  name: 'affineGrad',
  params: 9,
  locals: [[6, I32]],
  body: [
    forUp(9, 3, 1, [
      get(5),
      set(11),
      get(6),
      set(12),
      get(7),
      set(13),
      get(8),
      set(14),
      forUp(10, 4, 4, [
        store(get(2), fadd(fadd(fmul(load(get(1)), load(get(12))), fmul(fsub(load(get(0)), load(get(11))), load(get(13)))), load(get(14)))),
        bump(0, i32(16)),
        bump(1, i32(16)),
        bump(2, i32(16)),
        bump(11, i32(16)),
        bump(12, i32(16)),
        bump(13, i32(16)),
        bump(14, i32(16)),
      ]),
    ]),
  ],
};

// maxPoolGradRow(x0, dy1, dx2, ow3, c4, rowBytes5); locals j6 k7 c4_8 | a9 b10 cc11 d12 g13 s1_14 s2_15 s3_16 best17
const maxPoolGradRow: Fn = {
  name: 'maxPoolGradRow',
  params: 6,
  locals: [
    [3, I32],
    [9, V128],
  ],
  body: [
    get(4),
    i32(4),
    MUL,
    set(8),
    forUp(6, 3, 1, [
      forUp(7, 4, 4, [
        load(get(0)),
        set(9),
        load(plus(get(0), get(8))),
        set(10),
        load(plus(get(0), get(5))),
        set(11),
        load(plus(plus(get(0), get(5)), get(8))),
        set(12),
        load(get(1)),
        set(13),
        fgt(get(10), get(9)),
        set(14),
        bitselect(get(10), get(9), get(14)),
        set(17),
        fgt(get(11), get(17)),
        set(15),
        bitselect(get(11), get(17), get(15)),
        set(17),
        fgt(get(12), get(17)),
        set(16),
        store(get(2), andnot(andnot(andnot(get(13), get(14)), get(15)), get(16))),
        store(plus(get(2), get(8)), and(get(13), andnot(andnot(get(14), get(15)), get(16)))),
        store(plus(get(2), get(5)), and(get(13), andnot(get(15), get(16)))),
        store(plus(plus(get(2), get(5)), get(8)), and(get(13), get(16))),
        bump(0, i32(16)),
        bump(1, i32(16)),
        bump(2, i32(16)),
      ]),
      // the k loop moved x and dx one window column; skip the window's second column
      bump(0, get(8)),
      bump(2, get(8)),
    ]),
  ],
};

// maxPoolGradImages(x0, dy1, dx2, images3, oh4, ow5, c6, rowBytes7, imageBytes8); locals b9 y10 xr11 dxr12
// maxPoolGradRow for every output row of `images` whole images (each `imageBytes` long in x and dx).
const maxPoolGradImages: Fn = {
  name: 'maxPoolGradImages',
  params: 9,
  locals: [[4, I32]],
  body: [
    forUp(9, 3, 1, [
      get(0),
      set(11),
      get(2),
      set(12),
      forUp(10, 4, 1, [
        [get(11), get(1), get(12), get(5), get(6), get(7), 0x10, 4], // call maxPoolGradRow (function 4)
        bump(11, [get(7), i32(2), MUL]),
        bump(12, [get(7), i32(2), MUL]),
        bump(1, [get(5), get(6), MUL, i32(4), MUL]),
      ]),
      bump(0, get(8)),
      bump(2, get(8)),
    ]),
  ],
};

/** Rows of B (positions) per pass of `gemmAcc`: a pass's B rows and A columns stay in cache. */
const GEMM_BLOCK = 256;

// gemmAcc(a0, b1, c2, rows3, k4, n5): C[rows, n] += A[rows, k] B[k, n], all row-major, n a
// multiple of 4. locals K0 6, KEND 7, M 8, N 9, PB 10, PBEND 11, PC 12, P0..P3 13-16, NB 17, KB 18,
// N8 19, R4 20 | acc 21-28, b 29-30, a 31. Blocks of 4 rows x 8 columns (4 at a last odd group,
// 1 row x 4 for the last rows), over passes of GEMM_BLOCK rows of B: one splat of A and two
// vectors of B per k and row pair, as the Winograd products; here with run-time strides, for the
// im2col weight gradients (no packing of B, which XNNPACK would redo every call).
function gemmBlock(rows: number, width: 4 | 8): Code {
  const acc = (i: number, j: number): number => 21 + 2 * i + j;
  const vs = width / 4;
  const cAt = (i: number): Code => plus(get(12), [i32(i), get(17), MUL]);
  const loads: Code = [];
  const stores: Code = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < vs; j++) {
      loads.push(load(cAt(i), 16 * j), set(acc(i, j)));
      stores.push(store(cAt(i), get(acc(i, j)), 16 * j));
    }
  }
  const step: Code = [load(get(10)), set(29)];
  if (vs === 2) step.push(load(get(10), 16), set(30));
  for (let i = 0; i < rows; i++) {
    step.push(loadSplat(get(13 + i)), set(31));
    for (let j = 0; j < vs; j++) step.push(fadd(get(acc(i, j)), fmul(get(31), get(29 + j))), set(acc(i, j)));
    step.push(bump(13 + i, i32(4)));
  }
  step.push(bump(10, get(17)));
  const bAt = (k: number): Code => plus(get(1), [[get(k), get(17), MUL], [get(9), i32(4), MUL], ADD]);
  const aRows: Code = [];
  for (let i = 0; i < rows; i++) {
    aRows.push(plus(get(0), [[[get(8), i32(i), ADD], get(18), MUL], [get(6), i32(4), MUL], ADD]), set(13 + i));
  }
  return [
    plus(get(2), [[get(8), get(17), MUL], [get(9), i32(4), MUL], ADD]),
    set(12),
    loads,
    aRows,
    bAt(6),
    set(10),
    bAt(7),
    set(11),
    // while (pb < pbEnd)
    [0x02, 0x40, 0x03, 0x40, get(10), get(11), GE_U, 0x0d, 1, step, 0x0c, 0, 0x0b, 0x0b],
    stores,
  ];
}

const gemmAcc: Fn = {
  name: 'gemmAcc',
  params: 6,
  locals: [
    [15, I32],
    [11, V128],
  ],
  body: [
    [get(5), i32(4), MUL],
    set(17),
    [get(4), i32(4), MUL],
    set(18),
    [get(5), i32(-8), AND],
    set(19),
    [get(3), i32(-4), AND],
    set(20),
    forRange(6, i32(0), get(4), GEMM_BLOCK, [
      select(get(4), plus(get(6), i32(GEMM_BLOCK)), [plus(get(6), i32(GEMM_BLOCK)), get(4), GT_U]),
      set(7),
      forRange(8, i32(0), get(20), 4, [
        forRange(9, i32(0), get(19), 8, gemmBlock(4, 8)),
        [get(19), get(5), LT_U, 0x04, 0x40, get(19), set(9), gemmBlock(4, 4), 0x0b],
      ]),
      forRange(8, get(20), get(3), 1, [forRange(9, i32(0), get(5), 4, gemmBlock(1, 4))]),
    ]),
  ],
};

/** The module's functions, in index order (maxPoolGradImages calls maxPoolGradRow by its index, 4). */
const FUNCTIONS = [colSums, colGradSums, affine, affineGrad, maxPoolGradRow, maxPoolGradImages, gemmAcc];

/** The module's bytes, importing `env.memory` (shared or not, as the backend's heap is). */
export function simdModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return assemble(FUNCTIONS, shared);
}

const modules = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/**
 * The SIMD kernels bound to `backend`'s heap, or undefined where they cannot run (no SIMD in this
 * engine, or a heap that is not reachable): callers then take their JavaScript path.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const memory = heapMemory(backend);
  if (memory === undefined) return undefined;
  const cached = instances.get(memory);
  if (cached !== undefined) return cached;
  const shared = isShared(memory);
  let mod = modules.get(shared);
  if (mod === undefined) {
    const bytes = simdModuleBytes(shared);
    mod = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    modules.set(shared, mod);
  }
  if (mod === null) return undefined;
  const module = mod;
  const raw = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const direct = raw as unknown as SimdKernels;
  const split = (fn: string, count: number, args: (from: number, to: number) => number[]): void =>
    splitParts(memory, module, raw, fn, count, args);
  // the element-wise loops split their rows (images for the max pool) over the kernel threads;
  // the column sums stay on the calling thread (their callers flush them into float64 every few rows)
  const kernels: SimdKernels = {
    colSums: direct.colSums,
    colGradSums: direct.colGradSums,
    maxPoolGradRow: direct.maxPoolGradRow,
    affine: (x, y, rows, c, m, a, b) => split('affine', rows, (r0, r1) => [x + 4 * r0 * c, y + 4 * r0 * c, r1 - r0, c, m, a, b]),
    affineGrad: (x, dy, dx, rows, c, m, a, b, d) =>
      split('affineGrad', rows, (r0, r1) => [x + 4 * r0 * c, dy + 4 * r0 * c, dx + 4 * r0 * c, r1 - r0, c, m, a, b, d]),
    gemmAcc: (a, b, c, rows, k, n) =>
      split('gemmAcc', Math.ceil(rows / 4), (q0, q1) => [a + 16 * q0 * k, b, c + 16 * q0 * n, Math.min(rows, 4 * q1) - 4 * q0, k, n]),
    maxPoolGradImages: (x, dy, dx, images, oh, ow, c, rowBytes, imageBytes) =>
      split('maxPoolGradImages', images, (b0, b1) => [
        x + b0 * imageBytes,
        dy + 4 * b0 * oh * ow * c,
        dx + b0 * imageBytes,
        b1 - b0,
        oh,
        ow,
        c,
        rowBytes,
        imageBytes,
      ]),
  };
  instances.set(memory, kernels);
  return kernels;
}
