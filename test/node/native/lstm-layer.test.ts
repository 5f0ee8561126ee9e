import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { skip } from './harness.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';
import { lstm, lstmLayersRouted, routeLstmLayers, type LstmArgs } from '../../../src/models/lstm-layer.js';
import { LSTM_SEQUENCE_GRAD_KERNEL, LSTM_SEQUENCE_KERNEL, hasLstmSequenceKernel, lstmSequence } from '../../../src/models/lstm-sequence.js';
import { ShapeError } from '../../../src/errors.js';
import { randn } from '../../support/tensors.js';
import { checkBuiltLayersModel, checkRoutedLayer } from '../../support/routed-layers.js';

const KERNELS: [string, string] = [LSTM_SEQUENCE_KERNEL, LSTM_SEQUENCE_GRAD_KERNEL];

const CASES: { what: string; args: Omit<LstmArgs, 'units'>; units: number; shape: [number, number, number]; kernel: boolean }[] = [
  { what: 'defaults (hardSigmoid, last step)', args: {}, units: 9, shape: [4, 6, 5], kernel: true },
  { what: 'sigmoid, every step', args: { recurrentActivation: 'sigmoid', returnSequences: true }, units: 16, shape: [3, 5, 4], kernel: true },
  { what: 'unit forget bias, every step', args: { unitForgetBias: true, returnSequences: true }, units: 8, shape: [5, 7, 3], kernel: true },
  // B = 1 and U = 1 (T = 1 cannot be compared: tfjs-layers' own LSTM cannot differentiate a one-step sequence, Unpack's gradient throws)
  { what: 'no bias, B = 1', args: { useBias: false, returnSequences: true }, units: 7, shape: [1, 2, 3], kernel: true },
  { what: 'U = 1, D = 1', args: { recurrentActivation: 'sigmoid' }, units: 1, shape: [3, 4, 1], kernel: true },
  { what: 'a longer sequence', args: { returnSequences: true }, units: 45, shape: [16, 40, 8], kernel: true },
  { what: 'dropout (not fused)', args: { dropout: 0.5 }, units: 5, shape: [2, 3, 4], kernel: false },
  { what: 'relu activation (not fused)', args: { activation: 'relu' }, units: 5, shape: [2, 3, 4], kernel: false },
  { what: 'backwards (not fused)', args: { goBackwards: true }, units: 5, shape: [2, 3, 4], kernel: false },
];

test('tf.layers.lstm on native: the LSTM kernels where the config allows, same outputs and gradients as on cpu (tfjs-layers own call)', { skip }, async () => {
  routeLstmLayers();
  assert.ok(lstmLayersRouted());
  try {
    for (const { what, args, units, shape, kernel } of CASES) {
      const make = () =>
        tf.layers.lstm({
          units,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
          biasInitializer: tf.initializers.randomNormal({ seed: 3 }),
          ...args,
        });
      await checkRoutedLayer({ what, make, shape, kernel, random: args.dropout !== undefined }, KERNELS);
    }
  } finally {
    await tf.setBackend('cpu');
  }
});

test('lstm kernels: a training step of a model with lstm() is leak-free and runs them; lstm() saves as a plain LSTM', { skip }, async () => {
  await tf.setBackend('native');
  try {
    assert.ok(hasLstmSequenceKernel());
    const model = tf.sequential({ layers: [lstm({ units: 6, inputShape: [5, 3] }), tf.layers.dense({ units: 2 })] });
    const optimizer = tf.train.adam(1e-2);
    const x = tf.tensor3d(randn(4 * 5 * 3, 3), [4, 5, 3]);
    const step = (): number =>
      tf.tidy(() => optimizer.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true)!.dataSync()[0]!);
    const first = step();
    const before = tf.memory().numTensors;
    const n = nativeCalls[LSTM_SEQUENCE_GRAD_KERNEL] ?? 0;
    let last = first;
    for (let i = 0; i < 20; i++) last = step();
    assert.equal(tf.memory().numTensors, before, 'a training step is leak-free');
    assert.equal((nativeCalls[LSTM_SEQUENCE_GRAD_KERNEL] ?? 0) - n, 20, 'one gradient kernel per step');
    assert.ok(last < first, `the loss falls (${first} -> ${last})`);
    assert.equal((model.getConfig() as { layers: { className: string }[] }).layers[0]!.className, 'LSTM');
    x.dispose();
    model.dispose();
    optimizer.dispose();
  } finally {
    await tf.setBackend('cpu');
  }
});

test('lstm kernels: shapes that do not fit are a ShapeError naming the kernel and the argument', { skip }, async () => {
  await tf.setBackend('native');
  try {
    const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const k = tf.zeros([4, 20]) as tf.Tensor2D;
    const r = tf.zeros([5, 20]) as tf.Tensor2D;
    const bias = tf.zeros([20]) as tf.Tensor1D;
    assert.throws(() => lstmSequence(x, tf.zeros([3, 20]) as tf.Tensor2D, r, bias), (e: Error) => e instanceof ShapeError && /kernel/.test(e.message));
    assert.throws(() => lstmSequence(x, k, tf.zeros([5, 15]) as tf.Tensor2D, bias), (e: Error) => e instanceof ShapeError && /recurrentKernel/.test(e.message));
    assert.throws(() => lstmSequence(x, k, r, tf.zeros([16]) as tf.Tensor1D), (e: Error) => e instanceof ShapeError && /bias/.test(e.message));
    const y = lstmSequence(x, k, r, bias);
    assert.deepEqual(y.shape, [2, 3, 5]);
    tf.dispose([x, k, r, bias, y]);
  } finally {
    await tf.setBackend('cpu');
  }
});

test('buildLayersModel (pretrain --arch) builds an LSTM layer that runs the kernels, same outputs as on cpu, still saved as LSTM', { skip }, async () => {
  try {
    await checkBuiltLayersModel(tf.layers.lstm({ units: 6, inputShape: [8, 3], recurrentInitializer: 'glorotUniform', biasInitializer: 'randomNormal' }), 'LSTM', KERNELS);
  } finally {
    await tf.setBackend('cpu');
  }
});
