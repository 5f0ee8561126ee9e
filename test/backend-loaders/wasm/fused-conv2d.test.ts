/** FusedConv2D on wasm (Winograd, then the bias and the activation) against the cpu backend, values and gradients. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { initBackend } from '../../../src/backend.js';
import { assertClose, randn } from '../../support/tensors.js';

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'prelu' | 'leakyrelu';

// 24 x 5 x 5 = 600 tiles of 2x2 (odd sizes), 16 -> 20 channels: the Winograd path
const S: [number, number, number, number] = [24, 9, 9, 16];
const COUT = 20;

function run(x: Float32Array, f: Float32Array, b: Float32Array, dy: Float32Array, activation: Activation, withBias: boolean) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, S);
    const ft = tf.tensor4d(f, [3, 3, S[3], COUT]);
    const bt = tf.tensor1d(b);
    const alpha = tf.fill([COUT], 0.2);
    const dyt = tf.tensor4d(dy, [S[0], S[1], S[2], COUT]);
    const conv = (a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.fused.conv2d({
        x: a as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: withBias ? c : undefined,
        activation,
        preluActivationWeights: activation === 'prelu' ? alpha : undefined,
        leakyreluAlpha: 0.1,
      });
    const y = conv(xt, ft, bt);
    const [dx, df, db] = withBias ? tf.grads(conv)([xt, ft, bt], dyt) : tf.grads((a, w) => conv(a, w, bt))([xt, ft], dyt);
    return {
      y: y.dataSync() as Float32Array,
      dx: dx!.dataSync() as Float32Array,
      df: df!.dataSync() as Float32Array,
      db: (db?.dataSync() ?? new Float32Array(0)) as Float32Array,
    };
  });
}

const cases: [Activation, boolean][] = [
  ['relu', true],
  ['linear', true],
  ['relu6', false],
  ['elu', true],
  ['sigmoid', true],
  ['prelu', true],
  ['leakyrelu', true],
];

for (const [activation, withBias] of cases) {
  test(`fused conv2d, ${withBias ? 'bias and ' : ''}${activation}: values and gradients match cpu, no tensor left`, async () => {
    const x = randn(tf.util.sizeFromShape(S), 11);
    const f = randn(9 * S[3] * COUT, 12).map((v) => v * 0.3);
    const b = randn(COUT, 13);
    const dy = randn(S[0] * S[1] * S[2] * COUT, 14);
    await tf.setBackend('cpu');
    const ref = run(x, f, b, dy, activation, withBias);
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run(x, f, b, dy, activation, withBias);
    assert.equal(tf.memory().numTensors, before);
    for (const k of ['y', 'dx', 'df', 'db'] as const) assertClose(got[k], ref[k], 1e-3, 1e-4, `${activation} ${k}`);
  });
}
