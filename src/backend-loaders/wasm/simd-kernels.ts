/**
 * A small WebAssembly module with 128-bit SIMD loops for the project's wasm kernels, assembled here
 * (no toolchain) and instantiated on the wasm backend's own memory, so that it reads and writes
 * tensors in place. Pointers are byte offsets on that heap (`backend.getMemoryOffset`); counts of
 * channels must be multiples of 4 (callers keep a JavaScript path for the rest). Runs on the
 * calling thread only. Browser-safe: plain `WebAssembly`, synchronous on a module of ~1 KB.
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
 */
import type { BackendWasm } from './kernel-utils.js';

/** The exported functions of the module. */
export interface SimdKernels {
  colSums(x: number, rows: number, c: number, s: number): void;
  colGradSums(x: number, dy: number, rows: number, c: number, m: number, s: number): void;
  affine(x: number, y: number, rows: number, c: number, m: number, a: number, b: number): void;
  affineGrad(x: number, dy: number, dx: number, rows: number, c: number, m: number, a: number, b: number, d: number): void;
  maxPoolGradRow(x: number, dy: number, dx: number, ow: number, c: number, rowBytes: number): void;
}

// ---- a minimal assembler ----------------------------------------------------------------------
type Code = (number | Code)[];
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const flat = (c: Code): number[] => c.flatMap((x) => (typeof x === 'number' ? [x] : flat(x)));
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const get = (i: number): Code => [0x20, ...uleb(i)];
const set = (i: number): Code => [0x21, ...uleb(i)];
const i32 = (n: number): Code => [0x41, ...sleb(n)];
const ADD = 0x6a;
const MUL = 0x6c;
const GE_U = 0x4f;
const simd = (op: number): Code => [0xfd, ...uleb(op)];
const load = (addr: Code): Code => [addr, simd(0x00), 0, 0]; // v128.load align=1 offset=0
const store = (addr: Code, value: Code): Code => [addr, value, simd(0x0b), 0, 0];
const fadd = (a: Code, b: Code): Code => [a, b, simd(0xe4)];
const fsub = (a: Code, b: Code): Code => [a, b, simd(0xe5)];
const fmul = (a: Code, b: Code): Code => [a, b, simd(0xe6)];
const fgt = (a: Code, b: Code): Code => [a, b, simd(0x44)];
const and = (a: Code, b: Code): Code => [a, b, simd(0x4e)];
const andnot = (a: Code, b: Code): Code => [a, b, simd(0x4f)]; // a & ~b
const bitselect = (a: Code, b: Code, m: Code): Code => [a, b, m, simd(0x52)]; // m ? a : b
const plus = (a: Code, b: Code): Code => [a, b, ADD];
/** local[i] += step */
const bump = (i: number, step: Code): Code => [get(i), step, ADD, set(i)];
/** for (local[i] = 0; local[i] < local[n]; local[i] += step) body */
const forUp = (i: number, n: number, step: number, body: Code): Code => [
  i32(0),
  set(i),
  0x02,
  0x40, // block
  0x03,
  0x40, // loop
  get(i),
  get(n),
  GE_U,
  0x0d,
  1, // br_if 1 (out)
  body,
  bump(i, i32(step)),
  0x0c,
  0, // br 0 (again)
  0x0b,
  0x0b,
];

interface Fn {
  name: string;
  params: number;
  /** Extra locals: [count, type] groups (0x7f i32, 0x7b v128). */
  locals: [number, number][];
  body: Code;
}

// colSums(x0, rows1, c2, s3); locals r4 k5 c4_6 sp7 | v8
const colSums: Fn = {
  name: 'colSums',
  params: 4,
  locals: [
    [4, 0x7f],
    [1, 0x7b],
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
    [5, 0x7f],
    [1, 0x7b],
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
  locals: [[5, 0x7f]],
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
  locals: [[6, 0x7f]],
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
    [3, 0x7f],
    [9, 0x7b],
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

const FUNCTIONS = [colSums, colGradSums, affine, affineGrad, maxPoolGradRow];

/** The module's bytes, importing `env.memory` (shared or not, as the backend's heap is). */
export function simdModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(FUNCTIONS.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...uleb(n), ...Array<number>(n).fill(0x7f), 0]);
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  // shared memories must declare a maximum: 65536 pages (4 GiB) accepts any heap
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(FUNCTIONS.map((f) => uleb(arities.indexOf(f.params))))),
    ...section(7, vec(FUNCTIONS.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(
      10,
      vec(
        FUNCTIONS.map((f) => {
          const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...flat(f.body), 0x0b];
          return [...uleb(body.length), ...body];
        }),
      ),
    ),
  ];
  return new Uint8Array(bytes);
}

const modules = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** The backend's heap as a WebAssembly.Memory (threaded build: `wasmMemory`; single-threaded: the module's export). */
function heapMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const w = backend.wasm as unknown as { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  return w.wasmMemory ?? w.asm?.memory;
}

/**
 * The SIMD kernels bound to `backend`'s heap, or undefined where they cannot run (no SIMD in this
 * engine, or a heap that is not reachable): callers then take their JavaScript path.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const memory = heapMemory(backend);
  if (memory === undefined) return undefined;
  const cached = instances.get(memory);
  if (cached !== undefined) return cached;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let mod = modules.get(shared);
  if (mod === undefined) {
    const bytes = simdModuleBytes(shared);
    mod = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    modules.set(shared, mod);
  }
  if (mod === null) return undefined;
  const kernels = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}
