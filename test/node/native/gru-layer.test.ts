import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { skip } from './harness.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';
import { gru, type GruArgs } from '../../../src/models/gru-layer.js';
import { GRU_SEQUENCE_GRAD_KERNEL, GRU_SEQUENCE_KERNEL } from '../../../src/models/gru-sequence.js';
import { buildLayersModel, type LayersModelArch } from '../../../src/models/layers-model-arch.js';
import { assertClose, randn } from '../../support/tensors.js';

const calls = (): number => nativeCalls[GRU_SEQUENCE_KERNEL] ?? 0;

/** A one-layer model of `layer` over [T, D] sequences. */
function modelOf(layer: tf.layers.Layer, t: number, d: number): tf.LayersModel {
  const input = tf.input({ shape: [t, d] });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
}

/** Outputs, and gradients of sum(y * w) with respect to x and every weight. */
function outputsAndGrads(model: tf.LayersModel, x: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const y = model.apply(x, { training: true }) as tf.Tensor;
    const w = tf.tensor(randn(y.size, 77), y.shape);
    const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, vars);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(model.apply(xx, { training: true }) as tf.Tensor, w)))(x);
    return [y, dx, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
  });
}

const CASES: { what: string; args: Omit<GruArgs, 'units'>; units: number; shape: [number, number, number]; kernel: boolean }[] = [
  { what: 'defaults (hardSigmoid, last step)', args: {}, units: 9, shape: [4, 6, 5], kernel: true },
  { what: 'sigmoid, every step', args: { recurrentActivation: 'sigmoid', returnSequences: true }, units: 16, shape: [3, 5, 4], kernel: true },
  // B = 1 (T = 1 is in gru.test.ts: tfjs-layers' own GRU cannot differentiate a one-step sequence, Unpack's gradient throws)
  { what: 'no bias, B = 1', args: { useBias: false, returnSequences: true }, units: 7, shape: [1, 2, 3], kernel: true },
  { what: 'dropout (not fused)', args: { dropout: 0.5 }, units: 5, shape: [2, 3, 4], kernel: false },
  { what: 'relu activation (not fused)', args: { activation: 'relu' }, units: 5, shape: [2, 3, 4], kernel: false },
];

test('gru layer on native: same outputs and gradients as tf.layers.gru (1e-5), the kernel where the config allows', { skip }, async () => {
  await tf.setBackend('native');
  try {
    for (const { what, args, units, shape, kernel } of CASES) {
      const [b, t, d] = shape;
      const seeds = { kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }) };
      const plain = modelOf(tf.layers.gru({ units, ...seeds, biasInitializer: tf.initializers.randomNormal({ seed: 3 }), ...args }), t, d);
      const fused = modelOf(gru({ units, ...args }), t, d);
      fused.setWeights(plain.getWeights());
      const x = tf.tensor3d(randn(b * t * d, 5), [b, t, d]);
      const want = outputsAndGrads(plain, x);
      const before = tf.memory().numTensors;
      const n = calls();
      const got = args.dropout === undefined ? outputsAndGrads(fused, x) : want;
      assert.equal(tf.memory().numTensors, before, `${what}: leak-free`);
      assert.equal(calls() > n, kernel && args.dropout === undefined, `${what}: kernel ran`);
      got.forEach((g, i) => assertClose(g, want[i]!, 0, 1e-5, `${what}: ${i === 0 ? 'output' : `gradient ${i - 1}`}`));
      if (args.dropout !== undefined) {
        // dropout is random: only check that the fused layer leaves such a layer to tfjs-layers
        const m = calls();
        tf.tidy(() => fused.apply(x, { training: true }) as tf.Tensor);
        assert.equal(calls(), m, `${what}: not fused`);
      }
      x.dispose();
      plain.dispose();
      fused.dispose();
    }
  } finally {
    await tf.setBackend('cpu');
  }
});

test('buildLayersModel (pretrain --arch) builds a GRU layer that runs the kernel, same outputs, still saved as GRU', { skip }, async () => {
  await tf.setBackend('native');
  try {
    const source = tf.sequential({
      layers: [
        tf.layers.gru({ units: 6, inputShape: [8, 3], recurrentInitializer: 'glorotUniform', biasInitializer: 'randomNormal' }),
        tf.layers.dense({ units: 4 }),
      ],
    });
    const arch: LayersModelArch = {
      source: 'test/gru.json',
      className: source.getClassName(),
      config: JSON.parse(JSON.stringify(source.getConfig())),
      inputShape: [8, 3],
      inputCount: 1,
      outputShapes: [[null, 4]],
      weights: source.weights.map((w) => ({ shape: w.shape as number[], dtype: 'float32' as const, values: w.read().dataSync().slice() as Float32Array })),
    };
    const built = buildLayersModel(arch, { seed: 0 });
    const x = tf.tensor3d(randn(5 * 8 * 3, 9), [5, 8, 3]);
    const n = calls(), g = nativeCalls[GRU_SEQUENCE_GRAD_KERNEL] ?? 0;
    const want = outputsAndGrads(source, x);
    assert.equal(calls(), n, 'the plain tf.layers.gru does not run the kernel');
    const got = outputsAndGrads(built, x);
    assert.ok(calls() > n && (nativeCalls[GRU_SEQUENCE_GRAD_KERNEL] ?? 0) > g, 'the built model runs both kernels');
    got.forEach((v, i) => assertClose(v, want[i]!, 0, 1e-5, i === 0 ? 'output' : `gradient ${i - 1}`));
    const layers = (built.getConfig() as { layers: { className: string }[] }).layers;
    assert.equal(layers[0]!.className, 'GRU', 'saves as a plain GRU');
    x.dispose();
    source.dispose();
    built.dispose();
  } finally {
    await tf.setBackend('cpu');
  }
});
