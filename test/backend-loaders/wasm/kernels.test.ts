/** The project's other wasm kernels against cpu: matmuls with transposes, Tile, Sum/Mean, MaxPoolGrad, Identity/Cast. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { compareWithCpu } from './compare.js';

for (const [ta, tb] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const) {
  test(`matMul transposeA=${ta} transposeB=${tb} (2-D and batched) matches cpu`, async () => {
    await compareWithCpu(
      { shapes: [ta ? [7, 5] : [5, 7], tb ? [3, 7] : [7, 3]], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb) },
      'matMul 2-D',
    );
    await compareWithCpu(
      { shapes: [ta ? [2, 7, 5] : [2, 5, 7], tb ? [2, 3, 7] : [2, 7, 3]], f: (a, b) => tf.matMul(a, b, ta, tb) },
      'matMul batched',
    );
  });
}

test('fused matMul (dense layer: bias + relu) with transposes matches cpu', async () => {
  await compareWithCpu(
    {
      shapes: [[7, 4], [3, 7], [3]],
      f: (a, b, bias) =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: true, transposeB: true, bias, activation: 'relu' }),
    },
    'fused matMul',
  );
});

test('tile matches cpu (BatchNorm-gradient shape, inner repeats, rank 1, int32 and bool)', async () => {
  await compareWithCpu({ shapes: [[1, 1, 1, 5]], f: (x) => tf.tile(x, [2, 3, 4, 1]) }, 'tile [1,1,1,C]');
  await compareWithCpu({ shapes: [[2, 3, 4]], f: (x) => tf.tile(x, [3, 1, 2]) }, 'tile inner');
  await compareWithCpu({ shapes: [[3]], f: (x) => tf.tile(x, [4]) }, 'tile rank 1');
  await initBackend('wasm');
  const i = tf.tile(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), [2, 3]);
  assert.deepEqual(Array.from(i.dataSync()), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  const b = tf.tile(tf.tensor1d([true, false], 'bool'), [2]);
  assert.deepEqual(Array.from(b.dataSync()), [1, 0, 1, 0]);
  tf.dispose([i, b]);
});

test('sum and mean over leading axes (and others, and keepDims) match cpu', async () => {
  // 37 rows: exercises the 8-row blocks and the remainder
  await compareWithCpu({ shapes: [[37, 2, 5]], f: (x) => tf.sum(x, [0, 1]) }, 'sum leading');
  await compareWithCpu({ shapes: [[3, 4, 5, 6]], f: (x) => tf.sum(x, [0, 1, 2], true) }, 'sum keepDims');
  await compareWithCpu({ shapes: [[3, 4, 5]], f: (x) => tf.sum(x, [1]) }, 'sum middle axis');
  await compareWithCpu({ shapes: [[9, 4, 5]], f: (x) => tf.mean(x, [0, 1]) }, 'mean leading');
  await compareWithCpu({ shapes: [[9, 4]], f: (x) => tf.mean(x) }, 'mean all');
});

test('maxPool gradient matches cpu: 2x2/2, 3x3/2 same (overlapping), odd sizes, batch 1', async () => {
  await compareWithCpu({ shapes: [[2, 8, 6, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') }, 'maxPool 2x2');
  await compareWithCpu({ shapes: [[1, 7, 9, 2]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') }, 'maxPool 3x3 same');
  await compareWithCpu({ shapes: [[2, 5, 5, 4]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 1, 'same') }, 'maxPool 2x2 stride 1');
  // the SIMD path (2x2/2, channels % 4 == 0), its images split over the kernel threads; an odd height
  await compareWithCpu({ shapes: [[5, 9, 8, 8]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') }, 'maxPool 2x2 SIMD');
});

test('maxPool 2x2/2 gradient on the SIMD path (channels % 4 == 0) matches cpu: even and odd sizes, same padding', async () => {
  await compareWithCpu({ shapes: [[2, 8, 6, 4]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') }, 'SIMD maxPool 2x2');
  await compareWithCpu({ shapes: [[1, 7, 9, 8]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') }, 'SIMD maxPool odd sizes');
  await compareWithCpu({ shapes: [[3, 6, 4, 12]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same') }, 'SIMD maxPool same, even');
  await compareWithCpu({ shapes: [[1, 5, 5, 4]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same') }, 'maxPool same, odd (padded)');
});

test('maxPool 2x2/2 gradient on the SIMD path: ties anywhere in the window go to its first maximum, as on cpu', async () => {
  // each window's 4 values drawn from {0, 1, 2}: every pattern of ties at the maximum occurs
  const n = 2 * 6 * 6 * 8;
  const values = Float32Array.from({ length: n }, (_, i) => ((i * 7919) >> 3) % 3);
  await compareWithCpu({ shapes: [[2, 6, 6, 8]], values: [values], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') }, 'SIMD ties');
  const relu = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 + (i % 7) : -1));
  await compareWithCpu(
    { shapes: [[2, 6, 6, 8]], values: [relu], f: (x) => tf.maxPool(tf.relu(x) as tf.Tensor4D, 2, 2, 'valid') },
    'SIMD relu + maxPool',
  );
});

test('maxPool gradient after ReLU: ties at 0 go to the first position of the window, as on cpu', async () => {
  const n = 2 * 6 * 6 * 3;
  const values = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 + (i % 7) : -1)); // mostly negative -> 0 after relu
  await compareWithCpu(
    { shapes: [[2, 6, 6, 3]], values: [values], f: (x) => tf.maxPool(tf.relu(x) as tf.Tensor4D, 2, 2, 'valid') },
    'relu + maxPool',
  );
});

test('identity and same-dtype cast share data without leaking; other casts convert', async () => {
  await initBackend('wasm');
  const x = tf.tensor1d([1.5, -2.25, 3]);
  const before = tf.memory().numTensors;
  const c = tf.cast(x, 'float32');
  const k = tf.clone(x);
  assert.deepEqual(Array.from(c.dataSync()), [1.5, -2.25, 3]);
  assert.deepEqual(Array.from(k.dataSync()), [1.5, -2.25, 3]);
  c.dispose();
  assert.deepEqual(Array.from(x.dataSync()), [1.5, -2.25, 3], 'input survives disposing its alias');
  k.dispose();
  const i = tf.cast(x, 'int32');
  assert.deepEqual(Array.from(i.dataSync()), [1, -2, 3]);
  i.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  await compareWithCpu({ shapes: [[3, 4]], f: (a) => tf.mul(tf.cast(a, 'float32'), tf.clone(a)) }, 'cast/clone in a graph');
});

// batches of matrices large enough to run as one XNNPACK call each (SPLIT_BATCH_MIN), with
// transposed operands and over two batch dimensions (values and gradients); the batch broadcast
// from either side (values: tfjs-core's BatchMatMul gradient does not reduce broadcast batches)
for (const [sa, sb, ta, tb] of [
  [[3, 40, 64], [3, 64, 56], false, false],
  [[2, 2, 64, 40], [2, 2, 56, 64], true, true],
] as [number[], number[], boolean, boolean][]) {
  test(`matMul of a split batch a=[${sa}] b=[${sb}] transposeA=${ta} transposeB=${tb} matches cpu`, async () => {
    const { SPLIT_BATCH_MIN } = await import('../../../src/backend-loaders/wasm/batch-mat-mul.js');
    assert.ok(40 * 64 * 56 >= SPLIT_BATCH_MIN, 'these matrices are split');
    await compareWithCpu({ shapes: [sa, sb], f: (a, b) => tf.matMul(a, b, ta, tb) }, 'split batch matMul');
  });
}

for (const [sa, sb] of [
  [
    [40, 64],
    [2, 3, 64, 56],
  ],
  [
    [2, 3, 40, 64],
    [1, 64, 56],
  ],
]) {
  test(`matMul of a split batch broadcast a=[${sa}] b=[${sb}] matches cpu (values)`, async () => {
    const { assertClose, randn } = await import('../../support/tensors.js');
    const inputs = [sa, sb].map((s, i) => randn(tf.util.sizeFromShape(s!), 40 + i));
    const product = () => tf.tidy(() => tf.matMul(tf.tensor(inputs[0]!, sa), tf.tensor(inputs[1]!, sb)).dataSync() as Float32Array);
    await tf.setBackend('cpu');
    const ref = product();
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    assertClose(product(), ref, 2e-4, 2e-4, 'broadcast split batch');
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.backend().numDataIds(), ids, 'the per-matrix views and products are released');
  });
}
