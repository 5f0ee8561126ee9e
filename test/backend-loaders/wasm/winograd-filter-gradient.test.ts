/** The Winograd F(2x2, 3x3) weight gradient on wasm against the cpu backend's Conv2DBackpropFilter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { winogradApplies, winogradFilterGradient } from '../../../src/backend-loaders/wasm/winograd-filter-gradient.js';
import { winogradModuleBytes } from '../../../src/backend-loaders/wasm/winograd-kernels.js';
import { assertClose, randn } from '../../support/tensors.js';

const attrs = (cin: number, cout: number) => ({ strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cin, cout] });

async function reference(x: Float32Array, dy: Float32Array, s: number[], cout: number): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const [n, h, w, cin] = s as [number, number, number, number];
  const xt = tf.tensor4d(x, [n, h, w, cin]);
  const dyt = tf.tensor4d(dy, [n, h, w, cout]);
  const r = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, attrs(cin, cout) as never) as tf.Tensor;
  const v = r.dataSync() as Float32Array;
  tf.dispose([xt, dyt, r]);
  return v;
}

/** Runs `winogradFilterGradient` directly on wasm with a chunk limit; checks values and that nothing stays allocated. */
async function direct(
  x: Float32Array,
  dy: Float32Array,
  s: number[],
  cout: number,
  maxTileFloats?: number,
): Promise<Float32Array | undefined> {
  await initBackend('wasm');
  const [n, h, w, cin] = s as [number, number, number, number];
  const xt = tf.tensor4d(x, [n, h, w, cin]);
  const dyt = tf.tensor4d(dy, [n, h, w, cout]);
  const ids = tf.backend().numDataIds();
  const info = tf.backend_util.computeConv2DInfo([n, h, w, cin], [3, 3, cin, cout], 1, 1, 'same', undefined, false, 'channelsLast');
  const out = winogradFilterGradient(tf.backend() as never, xt, dyt, info, maxTileFloats);
  let v: Float32Array | undefined;
  if (out !== undefined) {
    const t = tf.engine().makeTensorFromTensorInfo(out);
    v = t.dataSync() as Float32Array;
    t.dispose();
  }
  assert.equal(tf.backend().numDataIds(), ids, 'every intermediate and chunk view is released');
  tf.dispose([xt, dyt]);
  return v;
}

// even and odd sizes (a half-empty last tile row or column), one row, one pixel, wider channel counts
const shapes: [number[], number][] = [
  [[2, 4, 4, 4], 4],
  [[3, 5, 7, 8], 4],
  [[2, 1, 6, 4], 8],
  [[4, 1, 1, 4], 4],
  [[2, 6, 3, 12], 16],
  [[5, 7, 7, 16], 8],
];

for (const [s, cout] of shapes) {
  test(`Winograd weight gradient x=[${s}] cout=${cout} matches cpu, through the registered kernel and directly`, async () => {
    const x = randn(tf.util.sizeFromShape(s), 3);
    const dy = randn(s[0]! * s[1]! * s[2]! * cout, 4);
    const ref = await reference(x, dy, s, cout);
    const got = await direct(x, dy, s, cout);
    assert.ok(got !== undefined, 'the SIMD transforms run here');
    assertClose(got, ref, 1e-4, 1e-4, `dW x=[${s}]`);

    // the registered Conv2DBackpropFilter takes this path for these shapes
    await initBackend('wasm');
    const xt = tf.tensor4d(x, s as [number, number, number, number]);
    const dyt = tf.tensor4d(dy, [s[0]!, s[1]!, s[2]!, cout]);
    const before = tf.memory().numTensors;
    const r = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, attrs(s[3]!, cout) as never) as tf.Tensor;
    assertClose(r.dataSync(), ref, 1e-4, 1e-4, `kernel dW x=[${s}]`);
    r.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([xt, dyt]);
  });
}

test('Winograd weight gradient in chunks of whole images (a short last chunk) matches cpu', async () => {
  const s = [7, 5, 6, 8];
  const cout = 12;
  const x = randn(tf.util.sizeFromShape(s), 5);
  const dy = randn(7 * 5 * 6 * cout, 6);
  const ref = await reference(x, dy, s, cout);
  // 3 x 3 = 9 tiles an image, 16 (8 + 12) floats a tile each of 16 ways: 3 images a chunk -> chunks of 3, 3, 1
  const got = await direct(x, dy, s, cout, 16 * 20 * 9 * 3);
  assert.ok(got !== undefined);
  assertClose(got, ref, 1e-4, 1e-4, 'chunked dW');
});

test('Winograd weight gradient declines when one image exceeds the chunk limit', async () => {
  const s = [2, 8, 8, 4];
  const got = await direct(randn(2 * 8 * 8 * 4, 7), randn(2 * 8 * 8 * 4, 8), s, 4, 16 * 8 * 16 - 1);
  assert.equal(got, undefined);
});

test('winogradApplies: 3x3, stride 1, padding 1 all round, channel counts multiples of 4', () => {
  const info = (x: number[], k: number, cout: number, stride: number, pad: 'same' | 'valid' | number) =>
    tf.backend_util.computeConv2DInfo(
      x as [number, number, number, number],
      [k, k, x[3]!, cout],
      stride,
      1,
      pad,
      undefined,
      false,
      'channelsLast',
    );
  assert.equal(winogradApplies(info([2, 8, 8, 4], 3, 8, 1, 'same')), true);
  assert.equal(winogradApplies(info([2, 8, 8, 4], 3, 8, 1, 1)), true);
  assert.equal(winogradApplies(info([2, 8, 8, 4], 3, 8, 2, 'same')), false);
  assert.equal(winogradApplies(info([2, 8, 8, 4], 3, 8, 1, 'valid')), false);
  assert.equal(winogradApplies(info([2, 8, 8, 4], 5, 8, 1, 'same')), false);
  assert.equal(winogradApplies(info([2, 8, 8, 3], 3, 8, 1, 'same')), false);
  assert.equal(winogradApplies(info([2, 8, 8, 4], 3, 6, 1, 'same')), false);
});

test('the transform module validates for shared and unshared memories and stays under 4 KB (browsers compile it synchronously)', () => {
  for (const shared of [false, true]) {
    const bytes = winogradModuleBytes({ h: 14, w: 14, cin: 64, cout: 128, tiles: 8400 }, shared);
    assert.ok(WebAssembly.validate(bytes), `shared=${shared}`);
    assert.ok(bytes.length < 4096, `${bytes.length} bytes`);
  }
});
