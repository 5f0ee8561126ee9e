import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';
import { collapseStrides, contiguousStrides } from '../../../src/node/native/strided-copy.js';
import { loadAddon } from '../../../src/node/native/addon.js';

test('collapseStrides drops size-1 axes and merges axes both sides step over contiguously', () => {
  // transpose [2, 3, 4, 5] with perm [0, 2, 3, 1]: a copy of shape [2, 4, 5, 3]
  const xs = contiguousStrides([2, 3, 4, 5]);
  assert.deepEqual(xs, [60, 20, 5, 1]);
  assert.deepEqual(collapseStrides([2, 4, 5, 3], [60, 5, 1, 20], contiguousStrides([2, 4, 5, 3])), { shape: [2, 20, 3], src: [60, 1, 20], dst: [60, 3, 1] });
  assert.deepEqual(collapseStrides([2, 3, 4], [12, 4, 1], [12, 4, 1]), { shape: [24], src: [1], dst: [1] });
  assert.deepEqual(collapseStrides([4, 1, 5], [5, 5, 1], [5, 5, 1]), { shape: [20], src: [1], dst: [1] });
  assert.deepEqual(collapseStrides([1, 1], [1, 1], [1, 1]), { shape: [1], src: [0], dst: [0] });
  // a slice of columns 2..5 of a [6, 10] matrix: rows stay apart on the source side
  assert.deepEqual(collapseStrides([6, 3], [10, 1], [3, 1]), { shape: [6, 3], src: [10, 1], dst: [3, 1] });
});

test('native Transpose matches cpu for permutations of rank 2 to 4, with gradients', { skip }, () => {
  const cases: [number[], number[]][] = [
    [[5, 7], [1, 0]],
    [[90, 24, 64], [1, 0, 2]], // tfjs-layers' RNN: [batch, time, features] -> [time, batch, features]
    [[3, 4, 5], [2, 0, 1]],
    [[3, 4, 5], [0, 2, 1]],
    [[3, 1, 5], [2, 1, 0]],
    [[2, 3, 4, 5], [0, 3, 1, 2]], // NHWC -> NCHW
    [[2, 3, 4, 5], [3, 2, 1, 0]],
    [[130, 70, 60], [1, 2, 0]], // 2^19 elements and more: the parallel path
  ];
  for (const [shape, perm] of cases) {
    compareWithCpu(`transpose ${JSON.stringify(shape)} ${JSON.stringify(perm)}`, [{ shape, seed: 3 }], (x) => tf.transpose(x!, perm), { kernels: ['Transpose'], rtol: 0, atol: 0 });
  }
});

test('native Slice, Unpack, SplitV and PadV2 match cpu, with gradients', { skip }, () => {
  compareWithCpu('slice inner columns', [{ shape: [6, 10], seed: 1 }], (x) => tf.slice(x!, [1, 2], [4, 3]), { kernels: ['Slice'], rtol: 0, atol: 0 });
  compareWithCpu('slice rank 4, size -1', [{ shape: [3, 5, 4, 6], seed: 2 }], (x) => tf.slice(x!, [1, 0, 2, 1], [-1, 3, 2, -1]), { kernels: ['Slice'], rtol: 0, atol: 0 });
  compareWithCpu('slice contiguous rows', [{ shape: [8, 5], seed: 3 }], (x) => tf.slice(x!, [2, 0], [3, 5]), { kernels: ['Slice'], rtol: 0, atol: 0 });
  compareWithCpu('slice large (parallel path)', [{ shape: [64, 100, 100], seed: 4 }], (x) => tf.slice(x!, [0, 1, 3], [64, 98, 90]), { kernels: ['Slice'], rtol: 0, atol: 0 });
  compareWithCpu('unstack axis 1', [{ shape: [4, 5, 3], seed: 5 }], (x) => tf.stack(tf.unstack(x!, 1).map((t, i) => tf.mul(t, i + 1)), 2), { kernels: ['Unpack'], rtol: 0, atol: 0 });
  compareWithCpu('unstack axis 0', [{ shape: [3, 6], seed: 6 }], (x) => tf.concat(tf.unstack(x!, 0), 0), { kernels: ['Unpack'], rtol: 0, atol: 0 });
  compareWithCpu('split last axis (GRU gates)', [{ shape: [10, 96], seed: 7 }], (x) => {
    const [a, b, c] = tf.split(x!, 3, 1);
    return tf.add(tf.mul(a!, 2), tf.sub(b!, tf.mul(c!, 3)));
  }, { kernels: ['SplitV'], rtol: 0, atol: 1e-6 });
  compareWithCpu('split sizes on axis 0', [{ shape: [9, 4], seed: 8 }], (x) => tf.concat(tf.split(x!, [2, 3, 4], 0).reverse(), 0), { kernels: ['SplitV'], rtol: 0, atol: 0 });
  compareWithCpu('pad rank 3 with a constant', [{ shape: [4, 5, 3], seed: 9 }], (x) => tf.pad(x!, [[1, 2], [0, 3], [2, 0]], 0.5), { kernels: ['PadV2'], rtol: 0, atol: 0 });
  compareWithCpu('pad rank 1', [{ shape: [7], seed: 10 }], (x) => tf.pad(x!, [[3, 1]]), { kernels: ['PadV2'], rtol: 0, atol: 0 });
});

test('native strided copies leave int32 tensors to the cpu kernels, with the same values', { skip }, async () => {
  await tf.setBackend('native');
  const x = tf.tensor3d(Int32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4], 'int32');
  const y = tf.transpose(x, [2, 0, 1]);
  const s = tf.slice(x, [1, 1, 1], [1, 2, 2]);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.dataSync()).slice(0, 6), [0, 4, 8, 12, 16, 20]);
  assert.deepEqual(Array.from(s.dataSync()), [17, 18, 21, 22]);
  tf.dispose([x, y, s]);
  await tf.setBackend('cpu');
});

test('the addon refuses a strided copy that would read or write outside its buffers', { skip }, () => {
  const addon = loadAddon()!;
  const x = new Float32Array(10), out = new Float32Array(10);
  assert.throws(() => addon.stridedCopy(x, out, [2, 5], [5, 1], 1, [5, 1], 0), /source elements out of range/);
  assert.throws(() => addon.stridedCopy(x, out, [3, 4], [3, 1], 0, [5, 1], 0), /out of range/);
  assert.throws(() => addon.stridedCopy(x, out, [2, 5], [5, 1], 0, [5, 1], 1), /destination elements out of range/);
  addon.stridedCopy(Float32Array.from({ length: 10 }, (_, i) => i), out, [5, 2], [1, 5], 0, [2, 1], 0);
  assert.deepEqual(Array.from(out), [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
});
