import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { compareWithCpu, skip } from './harness.js';
import {
  GRU_SEQUENCE_GRAD_KERNEL,
  GRU_SEQUENCE_KERNEL,
  gruSequence,
  hasGruSequenceKernel,
  type GruRecurrentActivation,
} from '../../../src/models/gru-sequence.js';
import { gruContext } from '../../../src/models/gru-context.js';
import { randn } from '../../support/tensors.js';

const kernels = [GRU_SEQUENCE_KERNEL, GRU_SEQUENCE_GRAD_KERNEL];

/** [B, T, D, U]: T = 1, B = 1, U not a multiple of 8 (1, 9, 45), and a larger batch. */
const SHAPES: [number, number, number, number][] = [
  [3, 7, 5, 4],
  [1, 1, 3, 2],
  [1, 6, 4, 9],
  [4, 1, 6, 10],
  [2, 3, 1, 1],
  [64, 16, 8, 45],
];

test('native GRU sequence kernels: values and gradients of x and the three weights match the cpu tf-ops path', { skip }, () => {
  for (const activation of ['sigmoid', 'hardSigmoid'] as GruRecurrentActivation[]) {
    for (const [b, t, d, u] of SHAPES) {
      compareWithCpu(
        `gruSequence ${activation} [${b}, ${t}, ${d}] -> ${u}`,
        [
          { shape: [b, t, d], seed: 1 },
          { shape: [d, 3 * u], seed: 2, scale: 1.5 / Math.sqrt(d) },
          { shape: [u, 3 * u], seed: 3, scale: 1.5 / Math.sqrt(u) }, // weights of realistic size: a chaotic recurrence would amplify rounding
          { shape: [3 * u], seed: 4, scale: 0.5 },
        ],
        (x, k, rk, bias) =>
          gruSequence(x as tf.Tensor3D, k as tf.Tensor2D, rk as tf.Tensor2D, bias as tf.Tensor1D, { recurrentActivation: activation }),
        { rtol: 1e-4, atol: 1e-5, kernels },
      );
    }
  }
});

test('native GRU kernel: the gradient falls back to tf ops when the backend lacks the gradient kernel', { skip }, () => {
  const grad = tf.getKernel(GRU_SEQUENCE_GRAD_KERNEL, 'native')!;
  tf.unregisterKernel(GRU_SEQUENCE_GRAD_KERNEL, 'native');
  try {
    // the forward kernel still runs (hasGruSequenceKernel needs both, so call the kernel directly)
    compareWithCpu(
      'kernel forward, tf-ops gradient',
      [
        { shape: [3, 5, 4], seed: 5 },
        { shape: [4, 18], seed: 6, scale: 0.6 },
        { shape: [6, 18], seed: 7, scale: 0.6 },
        { shape: [18], seed: 8 },
      ],
      (x, kernel, recurrentKernel, bias) =>
        tf.getBackend() === 'cpu'
          ? gruSequence(x as tf.Tensor3D, kernel as tf.Tensor2D, recurrentKernel as tf.Tensor2D, bias as tf.Tensor1D)
          : tf.tidy(
              () =>
                (tf.engine().runKernel(GRU_SEQUENCE_KERNEL, { x: x!, kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias! }, {
                  recurrentActivation: 'sigmoid',
                }) as tf.Tensor[])[0]!,
            ),
      { rtol: 1e-4, atol: 1e-5, kernels: [GRU_SEQUENCE_KERNEL] },
    );
  } finally {
    tf.registerKernel(grad);
  }
});

test('native GRU kernels: a training step of SequenceGru is leak-free and runs them', { skip }, async () => {
  await tf.setBackend('native');
  try {
    assert.ok(hasGruSequenceKernel());
    const model = gruContext({ inputDim: 5, units: 12, seed: 2 });
    const x = tf.tensor3d(randn(4 * 9 * 5, 3), [4, 9, 5]);
    const optimizer = tf.train.adam(1e-2);
    const step = (): number => {
      const loss = optimizer.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true)!;
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    };
    step(); // the optimizer's slots
    const before = tf.memory().numTensors;
    const first = step();
    for (let i = 0; i < 5; i++) step();
    assert.equal(tf.memory().numTensors, before, 'no tensor left over by a training step');
    assert.ok(step() < first, 'the loss falls');
    // one kernel each way per step, not the tf-ops recurrence
    const profile = await tf.profile(() => {
      step();
    });
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((n) => n === GRU_SEQUENCE_KERNEL).length, 1);
    assert.equal(names.filter((n) => n === GRU_SEQUENCE_GRAD_KERNEL).length, 1);
    assert.ok(!names.includes('Tanh'), 'no per-step tanh op');
    tf.dispose([x]);
    optimizer.dispose();
    model.dispose();
  } finally {
    await tf.setBackend('cpu');
  }
});

test('native GRU kernels: wrong shapes are typed errors, not crashes', { skip }, async () => {
  await tf.setBackend('native');
  try {
    const x = tf.zeros([2, 3, 4]);
    const rk = tf.zeros([5, 15]);
    const bias = tf.zeros([15]);
    for (const [what, kernel, r] of [
      ['kernel rows', tf.zeros([3, 15]), rk],
      ['recurrent kernel', tf.zeros([4, 15]), tf.zeros([5, 14])],
    ] as const) {
      assert.throws(
        () => tf.engine().runKernel(GRU_SEQUENCE_KERNEL, { x, kernel, recurrentKernel: r, bias }, { recurrentActivation: 'sigmoid' }),
        (e: Error) => e.name === 'ShapeError' && /ContrastiveGruSequence/.test(e.message),
        what,
      );
      tf.dispose([kernel, r]);
    }
    tf.dispose([x, rk, bias]);
  } finally {
    await tf.setBackend('cpu');
  }
});
