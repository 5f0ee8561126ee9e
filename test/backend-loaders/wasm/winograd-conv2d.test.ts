/** The Winograd F(2x2, 3x3) convolution on wasm (forward and, through it, the input gradient) against the cpu backend. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { winogradConv2D } from '../../../src/backend-loaders/wasm/winograd-conv2d.js';
import { winogradForwardModuleBytes } from '../../../src/backend-loaders/wasm/winograd-kernels.js';
import { WINOGRAD_MIN_CHANNELS, WINOGRAD_MIN_TILES } from '../../../src/backend-loaders/wasm/conv2d.js';
import { assertClose, randn } from '../../support/tensors.js';

type Shape4 = [number, number, number, number];

/** conv2d on cpu, and its input and filter gradients for an output gradient dy. */
async function reference(x: Float32Array, f: Float32Array, dy: Float32Array, s: Shape4, cout: number) {
  await tf.setBackend('cpu');
  return run(x, f, dy, s, cout);
}

function run(x: Float32Array, f: Float32Array, dy: Float32Array, s: Shape4, cout: number) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, s);
    const ft = tf.tensor4d(f, [3, 3, s[3], cout]);
    const dyt = tf.tensor4d(dy, [s[0], s[1], s[2], cout]);
    const y = tf.conv2d(xt, ft, 1, 'same');
    const [dx, df] = tf.grads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([xt, ft], dyt);
    return { y: y.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array, df: df!.dataSync() as Float32Array };
  });
}

/** winogradConv2D called directly (any channel count that is a multiple of 4), with a chunk limit. */
async function direct(
  x: Float32Array,
  f: Float32Array,
  s: Shape4,
  cout: number,
  maxTileFloats?: number,
): Promise<Float32Array | undefined> {
  await initBackend('wasm');
  const xt = tf.tensor4d(x, s);
  const ft = tf.tensor4d(f, [3, 3, s[3], cout]);
  const ids = tf.backend().numDataIds();
  const info = tf.backend_util.computeConv2DInfo(s, [3, 3, s[3], cout], 1, 1, 'same', undefined, false, 'channelsLast');
  const out = winogradConv2D(tf.backend() as never, xt, ft, info, maxTileFloats);
  let v: Float32Array | undefined;
  if (out !== undefined) {
    const t = tf.engine().makeTensorFromTensorInfo(out);
    v = t.dataSync() as Float32Array;
    t.dispose();
  }
  assert.equal(tf.backend().numDataIds(), ids, 'every intermediate is released');
  tf.dispose([xt, ft]);
  return v;
}

// even and odd sizes (half-empty last tiles), one row, one pixel; cout 4 mod 8 takes the narrow block
const shapes: [Shape4, number][] = [
  [[2, 4, 4, 4], 8],
  [[3, 5, 7, 8], 4],
  [[2, 1, 6, 4], 12],
  [[4, 1, 1, 4], 4],
  [[1, 6, 3, 12], 16],
  [[5, 7, 7, 16], 20],
];

for (const [s, cout] of shapes) {
  test(`Winograd convolution x=[${s}] cout=${cout} matches cpu`, async () => {
    const x = randn(tf.util.sizeFromShape(s), 1);
    const f = randn(9 * s[3] * cout, 2);
    const ref = await reference(x, f, new Float32Array(s[0] * s[1] * s[2] * cout), s, cout);
    const got = await direct(x, f, s, cout);
    assert.ok(got !== undefined, 'the SIMD kernels run here');
    assertClose(got, ref.y, 1e-4, 1e-4, `y x=[${s}]`);
  });
}

test('Winograd convolution in chunks of whole images (a short last chunk) matches cpu', async () => {
  const s: Shape4 = [7, 5, 6, 8];
  const cout = 12;
  const x = randn(tf.util.sizeFromShape(s), 3);
  const f = randn(9 * 8 * cout, 4);
  const ref = await reference(x, f, new Float32Array(7 * 5 * 6 * cout), s, cout);
  // 3 x 3 = 9 tiles an image, 20 (8 + 12) floats a tile each of 16 ways: 3 images a chunk -> 3, 3, 1
  const got = await direct(x, f, s, cout, 16 * 20 * 9 * 3);
  assert.ok(got !== undefined);
  assertClose(got, ref.y, 1e-4, 1e-4, 'chunked y');
  assert.equal(await direct(x, f, s, cout, 16 * 20 * 9 - 1), undefined, 'declines when one image exceeds the chunk limit');
});

test(`the registered Conv2D takes Winograd from ${WINOGRAD_MIN_CHANNELS} channels and ${WINOGRAD_MIN_TILES} tiles: forward, input and filter gradients match cpu, no tensor left`, async () => {
  for (const [s, cout] of [
    [[26, 9, 8, 16], 24], // 26 x 5 x 4 = 520 tiles, odd height
    [[12, 14, 14, 32], 16], // 588 tiles
  ] as [Shape4, number][]) {
    const x = randn(tf.util.sizeFromShape(s), 5);
    const f = randn(9 * s[3] * cout, 6);
    const dy = randn(s[0] * s[1] * s[2] * cout, 7);
    const ref = await reference(x, f, dy, s, cout);
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run(x, f, dy, s, cout);
    assert.equal(tf.memory().numTensors, before);
    assertClose(got.y, ref.y, 1e-4, 1e-4, `y x=[${s}]`);
    assertClose(got.dx, ref.dx, 1e-4, 1e-4, `dx x=[${s}]`);
    assertClose(got.df, ref.df, 1e-3, 1e-4, `dW x=[${s}]`);
  }
});

test('the forward module validates for shared and unshared memories and stays under 4 KB (browsers compile it synchronously)', () => {
  for (const shared of [false, true]) {
    const bytes = winogradForwardModuleBytes({ h: 14, w: 14, cin: 64, cout: 124, tiles: 8400 }, shared);
    assert.ok(WebAssembly.validate(bytes), `shared=${shared}`);
    assert.ok(bytes.length < 4096, `${bytes.length} bytes`);
  }
});
