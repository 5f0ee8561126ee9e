/**
 * A minimal WebAssembly assembler for the project's SIMD kernels (no toolchain): instructions are
 * nested arrays of bytes (`Code`), a function is its parameter count (all i32), extra locals and
 * body, and `assemble` writes a module that imports `env.memory` (the wasm backend's heap) and
 * exports the functions by name. Browser-safe.
 */

/** Instruction bytes, nested freely: `[get(0), i32(4), MUL]`. */
export type Code = (number | Code)[];

export const uleb = (n: number): number[] => {
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

/** Local types for `Fn.locals`. */
export const I32 = 0x7f;
export const V128 = 0x7b;

export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const i32 = (n: number): Code => [0x41, ...sleb(n)];
export const ADD = 0x6a;
export const SUB = 0x6b;
export const MUL = 0x6c;
export const DIV_U = 0x6e;
export const GE_U = 0x4f;
export const GT_U = 0x4b;
export const LT_U = 0x49;
/** i32.and */
export const AND = 0x71;
/** Pushes `a` if `cond` (an i32) is non-zero, else `b`. */
export const select = (a: Code, b: Code, cond: Code): Code => [a, b, cond, 0x1b];
const simd = (op: number): Code => [0xfd, ...uleb(op)];
/** v128.load at `addr` + `offset` bytes (a constant). */
export const load = (addr: Code, offset = 0): Code => [addr, simd(0x00), 0, ...uleb(offset)];
/** v128.const of four zeros. */
export const zero = (): Code => [simd(0x0c), ...Array<number>(16).fill(0)];
/** v128.load32_splat: the f32 at `addr` + `offset` bytes in all four lanes. */
export const loadSplat = (addr: Code, offset = 0): Code => [addr, simd(0x09), 2, ...uleb(offset)];
/** v128.store of `value` at `addr` + `offset` bytes. */
export const store = (addr: Code, value: Code, offset = 0): Code => [addr, value, simd(0x0b), 0, ...uleb(offset)];
export const fadd = (a: Code, b: Code): Code => [a, b, simd(0xe4)];
export const fsub = (a: Code, b: Code): Code => [a, b, simd(0xe5)];
export const fmul = (a: Code, b: Code): Code => [a, b, simd(0xe6)];
export const fneg = (a: Code): Code => [a, simd(0xe1)];
export const fgt = (a: Code, b: Code): Code => [a, b, simd(0x44)];
export const and = (a: Code, b: Code): Code => [a, b, simd(0x4e)];
/** a & ~b */
export const andnot = (a: Code, b: Code): Code => [a, b, simd(0x4f)];
/** m ? a : b, bit by bit */
export const bitselect = (a: Code, b: Code, m: Code): Code => [a, b, m, simd(0x52)];
export const plus = (a: Code, b: Code): Code => [a, b, ADD];
/** local[i] += step */
export const bump = (i: number, step: Code): Code => [get(i), step, ADD, set(i)];

/** for (local[i] = from; local[i] < bound; local[i] += step) body; `from` and `bound` are code that pushes an i32. */
export const forRange = (i: number, from: Code, bound: Code, step: number, body: Code): Code => [
  from,
  set(i),
  0x02,
  0x40, // block
  0x03,
  0x40, // loop
  get(i),
  bound,
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

/** for (local[i] = 0; local[i] < local[n]; local[i] += step) body */
export const forUp = (i: number, n: number, step: number, body: Code): Code => forRange(i, i32(0), get(n), step, body);

/** for (local[i] = 0; local[i] < n; local[i] += 1) body, n a constant */
export const forCount = (i: number, n: number, body: Code): Code => forRange(i, i32(0), i32(n), 1, body);

export interface Fn {
  name: string;
  /** Parameter count (all i32). */
  params: number;
  /** Extra locals: [count, type] groups (`I32`, `V128`). */
  locals: [number, number][];
  body: Code;
}

/** The bytes of a module exporting `functions`, importing `env.memory` (shared or not, as the backend's heap is). */
export function assemble(functions: readonly Fn[], shared: boolean): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(functions.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...uleb(n), ...Array<number>(n).fill(I32), 0]);
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  // shared memories must declare a maximum: 65536 pages (4 GiB) accepts any heap
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(functions.map((f) => uleb(arities.indexOf(f.params))))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(
      10,
      vec(
        functions.map((f) => {
          const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...flat(f.body), 0x0b];
          return [...uleb(body.length), ...body];
        }),
      ),
    ),
  ];
  return new Uint8Array(bytes);
}

/** The wasm backend's heap as a WebAssembly.Memory (threaded build: `wasmMemory`; single-threaded: the module's export). */
export function heapMemory(backend: { wasm: unknown }): WebAssembly.Memory | undefined {
  const w = backend.wasm as { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  return w.wasmMemory ?? w.asm?.memory;
}

/** True when `memory` is a shared (threaded) heap. */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}
