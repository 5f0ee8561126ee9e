/** The generated SIMD module: valid in both memory flavours, and each loop against a JavaScript reference on a memory of its own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdModuleBytes, type SimdKernels } from '../../../src/backend-loaders/wasm/simd-kernels.js';
import { assertClose, randn } from '../../support/tensors.js';

test('the SIMD module validates and links to a shared and to an unshared memory', () => {
  for (const shared of [false, true]) {
    const bytes = simdModuleBytes(shared);
    assert.ok(WebAssembly.validate(bytes), `shared=${shared}: valid`);
    const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 16, shared: true } : { initial: 1 });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
    assert.deepEqual(Object.keys(exports).sort(), [
      'affine',
      'affineGrad',
      'colGradSums',
      'colSums',
      'gemmAcc',
      'maxPoolGradImages',
      'maxPoolGradRow',
    ]);
  }
});

/** A module on a fresh memory, with a bump allocator of float arrays (byte offsets). */
function setUp(): {
  k: SimdKernels;
  heap: Float32Array;
  put: (v: ArrayLike<number>) => number;
  view: (at: number, n: number) => Float32Array;
} {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const k = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(false)), { env: { memory } }).exports as unknown as SimdKernels;
  const heap = new Float32Array(memory.buffer);
  let next = 16; // floats; offset 0 unused
  const put = (v: ArrayLike<number>): number => {
    const at = next;
    heap.set(v, at);
    next += Math.ceil(v.length / 4) * 4 + 4; // keep 16-byte steps, leave a gap
    return at * 4;
  };
  return { k, heap, put, view: (at, n) => heap.subarray(at / 4, at / 4 + n) };
}

test('colSums, colGradSums, affine and affineGrad match JavaScript (13 rows x 8 channels)', () => {
  const { k, put, view } = setUp();
  const rows = 13;
  const c = 8;
  const x = randn(rows * c, 1);
  const dy = randn(rows * c, 2);
  const [m, a, b, d] = [3, 4, 5, 6].map((s) => randn(c, s));
  const xp = put(x);
  const dyp = put(dy);
  const [mp, ap, bp, dp] = [m, a, b, d].map((v) => put(v!));
  const s = put(new Float32Array(2 * c));
  k.colSums(xp, rows, c, s);
  const want = new Float32Array(2 * c);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < c; j++) {
      want[j] += x[r * c + j]!;
      want[c + j] += x[r * c + j]! ** 2;
    }
  }
  assertClose(view(s, 2 * c), want, 1e-5, 1e-5, 'colSums');
  view(s, 2 * c).fill(0);
  k.colGradSums(xp, dyp, rows, c, mp, s);
  want.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < c; j++) {
      want[j] += dy[r * c + j]!;
      want[c + j] += dy[r * c + j]! * (x[r * c + j]! - m![j]!);
    }
  }
  assertClose(view(s, 2 * c), want, 1e-5, 1e-5, 'colGradSums');
  const y = put(new Float32Array(rows * c));
  k.affine(xp, y, rows, c, mp, ap, bp);
  assertClose(
    view(y, rows * c),
    x.map((v, i) => (v - m![i % c]!) * a![i % c]! + b![i % c]!),
    1e-6,
    1e-6,
    'affine',
  );
  k.affineGrad(xp, dyp, y, rows, c, mp, ap, bp, dp);
  assertClose(
    view(y, rows * c),
    x.map((v, i) => dy[i]! * a![i % c]! + (v - m![i % c]!) * b![i % c]! + d![i % c]!),
    1e-6,
    1e-6,
    'affineGrad',
  );
});

test('maxPoolGradRow sends each dy to the first maximum of its 2x2 window', () => {
  const { k, put, view } = setUp();
  const c = 4;
  const w = 4; // two windows across
  // top row then bottom row, 4 positions x 4 channels each; channel j tests a pattern of ties
  const top = [
    [1, 0, 2, 5],
    [1, 0, 2, 5],
    [0, 3, 3, 1],
    [0, 3, 3, 1],
  ];
  const bottom = [
    [1, 0, 2, 5],
    [1, 3, 1, 5],
    [0, 3, 3, 1],
    [9, 3, 3, 1],
  ];
  const x = put([...top.flat(), ...bottom.flat()]);
  const dy = put([10, 20, 30, 40, 50, 60, 70, 80]);
  const dx = put(new Float32Array(2 * w * c));
  k.maxPoolGradRow(x, dy, dx, 2, c, 4 * w * c);
  // window 1 (positions 0, 1 of both rows): ch0 all 1 -> first; ch1 0,0,0,3 -> last; ch2 2,2,2,1 -> first; ch3 all 5 -> first
  // window 2 (positions 2, 3): ch0 0,0,0,9 -> last; ch1 all 3 -> first; ch2 all 3 -> first; ch3 all 1 -> first
  const want = [
    [10, 0, 30, 40],
    [0, 0, 0, 0],
    [0, 60, 70, 80],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 20, 0, 0],
    [0, 0, 0, 0],
    [50, 0, 0, 0],
  ].flat();
  assert.deepEqual(Array.from(view(dx, 2 * w * c)), want);
});

test('gemmAcc adds A B into C: row and column tails, more rows of B than one pass', () => {
  for (const [rows, kk, n] of [
    [7, 300, 12],
    [4, 5, 8],
    [1, 257, 4],
    [9, 1, 20],
  ]) {
    const { k, put, view } = setUp();
    const a = Float32Array.from({ length: rows * kk }, (_, i) => Math.sin(i * 0.7));
    const b = Float32Array.from({ length: kk * n }, (_, i) => Math.cos(i * 0.3));
    const c0 = Float32Array.from({ length: rows * n }, (_, i) => i * 0.01);
    const [pa, pb, pc] = [put(a), put(b), put(c0)];
    k.gemmAcc(pa, pb, pc, rows, kk, n);
    const got = view(pc, rows * n);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) {
        let want = c0[r * n + j]!;
        for (let q = 0; q < kk; q++) want += a[r * kk + q]! * b[q * n + j]!;
        assert.ok(
          Math.abs(got[r * n + j]! - want) < 1e-3 * Math.max(1, Math.abs(want)),
          `${rows}x${kk}x${n} [${r}, ${j}]: ${got[r * n + j]} vs ${want}`,
        );
      }
    }
  }
});
