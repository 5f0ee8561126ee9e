/** Conv2D gradients on wasm (Conv2DBackpropFilter, Conv2DBackpropInput) against cpu. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { compareWithCpu } from './compare.js';

const cases: { x: number[]; k: number; cin: number; cout: number; stride: number; pad: 'same' | 'valid' | number }[] = [];
for (const k of [1, 3, 5]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      cases.push({ x: [2, 9, 7, 3], k, cin: 3, cout: 4, stride, pad });
    }
  }
}
cases.push({ x: [1, 8, 8, 5], k: 3, cin: 5, cout: 6, stride: 2, pad: 'same' }); // batch 1, even size
cases.push({ x: [1, 6, 11, 2], k: 3, cin: 2, cout: 3, stride: 1, pad: 'valid' });
// even kernel, stride 3 (phases without taps), and explicit numeric padding larger than 'same'
cases.push({ x: [2, 10, 8, 2], k: 2, cin: 2, cout: 3, stride: 3, pad: 'same' });
cases.push({ x: [2, 10, 8, 2], k: 2, cin: 2, cout: 3, stride: 3, pad: 'valid' });
cases.push({ x: [1, 7, 6, 2], k: 3, cin: 2, cout: 2, stride: 2, pad: 2 });
// stride 1, 'same', weight gradient of >= 1024 floats: the padded-grid weight gradient (odd sizes,
// k = 5, and k = 2 whose padding is 0 before and 1 after)
cases.push({ x: [2, 9, 7, 8], k: 3, cin: 8, cout: 16, stride: 1, pad: 'same' });
cases.push({ x: [3, 6, 5, 6], k: 5, cin: 6, cout: 8, stride: 1, pad: 'same' });
cases.push({ x: [2, 5, 8, 8], k: 2, cin: 8, cout: 16, stride: 1, pad: 'same' });
// one input channel, stride 1: the input gradient as one matmul + col2im
cases.push({ x: [2, 9, 7, 1], k: 3, cin: 1, cout: 5, stride: 1, pad: 'same' });
cases.push({ x: [1, 8, 6, 1], k: 3, cin: 1, cout: 4, stride: 1, pad: 'valid' });
cases.push({ x: [2, 7, 7, 1], k: 2, cin: 1, cout: 3, stride: 1, pad: 'same' });
cases.push({ x: [1, 9, 8, 1], k: 5, cin: 1, cout: 32, stride: 1, pad: 2 });

for (const c of cases) {
  test(`conv2d k=${c.k} stride=${c.stride} pad=${c.pad} x=[${c.x}] matches cpu (value, dx, dW)`, async () => {
    await compareWithCpu(
      {
        shapes: [c.x, [c.k, c.k, c.cin, c.cout]],
        f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
      },
      `conv2d ${JSON.stringify(c)}`,
    );
  });
}

test('conv2d weight gradient split into batch chunks matches cpu', async () => {
  const mod = await import('../../../src/backend-loaders/wasm/conv2d-backprop-filter.js');
  // 27 rows x 25 positions = 675 floats per image: a limit of 2 images gives chunks of 2, 2, 1.
  const { conv2DBackpropFilter } = mod;
  await tf.setBackend('cpu');
  const x = tf.tensor4d(
    Float32Array.from({ length: 5 * 5 * 5 * 3 }, (_, i) => Math.sin(i)),
    [5, 5, 5, 3],
  );
  const dy = tf.tensor4d(
    Float32Array.from({ length: 5 * 5 * 5 * 4 }, (_, i) => Math.cos(i)),
    [5, 5, 5, 4],
  );
  const refT = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: 1,
    pad: 'same',
    dataFormat: 'NHWC',
    filterShape: [3, 3, 3, 4],
  } as never) as tf.Tensor;
  const ref = refT.dataSync();
  refT.dispose();
  await compareChunked(conv2DBackpropFilter, x, dy, ref, 2 * 25 * 27);
  x.dispose();
  dy.dispose();
});

test('conv2d weight gradient on the padded grid split into chunks (across image boundaries) matches cpu', async () => {
  const { conv2DBackpropFilter } = await import('../../../src/backend-loaders/wasm/conv2d-backprop-filter.js');
  await tf.setBackend('cpu');
  const x = tf.tensor4d(
    Float32Array.from({ length: 3 * 5 * 6 * 8 }, (_, i) => Math.sin(i)),
    [3, 5, 6, 8],
  );
  const dy = tf.tensor4d(
    Float32Array.from({ length: 3 * 5 * 6 * 16 }, (_, i) => Math.cos(i)),
    [3, 5, 6, 16],
  );
  const refT = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: 1,
    pad: 'same',
    dataFormat: 'NHWC',
    filterShape: [3, 3, 8, 16],
  } as never) as tf.Tensor;
  const ref = refT.dataSync();
  refT.dispose();
  // 72 rows: a limit of 72 x 11 floats gives chunks of 11 grid positions (the grid is 3 x 6 x 7)
  await compareChunked(conv2DBackpropFilter, x, dy, ref, 72 * 11);
  x.dispose();
  dy.dispose();
});

async function compareChunked(
  kernel: typeof import('../../../src/backend-loaders/wasm/conv2d-backprop-filter.js').conv2DBackpropFilter,
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  ref: ArrayLike<number>,
  maxColsFloats: number,
): Promise<void> {
  const { initBackend } = await import('../../../src/backend.js');
  const { assertClose } = await import('../../support/tensors.js');
  await initBackend('wasm');
  const backend = tf.backend() as never;
  const xw = tf.clone(x);
  const dyw = tf.clone(dy);
  const ids = tf.backend().numDataIds();
  const out = kernel(
    {
      inputs: { x: xw, dy: dyw },
      attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, x.shape[3], dy.shape[3]] } as never,
      backend,
    },
    maxColsFloats,
    false, // the im2col path, also where Winograd would apply
  );
  const t = tf.engine().makeTensorFromTensorInfo(out);
  assertClose(t.dataSync(), ref, 1e-4, 1e-4, 'chunked dW');
  t.dispose();
  assert.equal(tf.backend().numDataIds(), ids, 'the chunk views and intermediates are all released');
  tf.dispose([xw, dyw]);
}
