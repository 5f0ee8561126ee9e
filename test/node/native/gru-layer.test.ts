import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { skip } from './harness.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';
import { routeGruLayers, type GruArgs } from '../../../src/models/gru-layer.js';
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

/** A one-layer model of `make()` on `backend` (weights from `weights` if given): its outputs and gradients, and its weights. */
async function on(backend: string, make: () => tf.layers.Layer, t: number, d: number, weights: tf.Tensor[] | undefined, x: Float32Array, b: number) {
  await tf.setBackend(backend);
  const model = modelOf(make(), t, d);
  if (weights !== undefined) model.setWeights(weights);
  const xt = tf.tensor3d(x, [b, t, d]);
  const before = tf.memory().numTensors;
  const out = outputsAndGrads(model, xt);
  assert.equal(tf.memory().numTensors, before, 'leak-free');
  const saved = model.getWeights().map((v) => ({ values: v.dataSync().slice(), shape: v.shape })); // plain arrays: no tensor crosses backends
  xt.dispose();
  model.dispose();
  return { out, saved };
}

test('tf.layers.gru built directly, on native: the kernel where the config allows, same outputs and gradients as on cpu (tfjs-layers own call)', { skip }, async () => {
  routeGruLayers();
  try {
    for (const { what, args, units, shape, kernel } of CASES) {
      const [b, t, d] = shape;
      const make = () =>
        tf.layers.gru({
          units,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
          biasInitializer: tf.initializers.randomNormal({ seed: 3 }),
          ...args,
        });
      if (args.dropout !== undefined) {
        // dropout is random (and tfjs-layers keeps its masks): only check that such a layer is left to tfjs-layers
        await tf.setBackend('native');
        const m = modelOf(make(), t, d);
        const n = calls();
        tf.tidy(() => m.apply(tf.ones([b, t, d]), { training: true }) as tf.Tensor);
        assert.equal(calls(), n, `${what}: not fused`);
        m.dispose();
        continue;
      }
      const x = randn(b * t * d, 5);
      const cpu = await on('cpu', make, t, d, undefined, x, b);
      const n = calls();
      const g = nativeCalls[GRU_SEQUENCE_GRAD_KERNEL] ?? 0;
      const weights = cpu.saved.map((v) => tf.tensor(v.values, v.shape));
      const native = await on('native', make, t, d, weights, x, b);
      tf.dispose(weights);
      assert.equal(calls() > n && (nativeCalls[GRU_SEQUENCE_GRAD_KERNEL] ?? 0) > g, kernel, `${what}: kernels ran`);
      native.out.forEach((v, i) => assertClose(v, cpu.out[i]!, 1e-4, 1e-5, `${what}: ${i === 0 ? 'output' : `gradient ${i - 1}`}`));
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
    await tf.setBackend('cpu');
    const want = outputsAndGrads(source, x); // tfjs-layers' own call: no kernel on cpu
    await tf.setBackend('native');
    const n = calls(), g = nativeCalls[GRU_SEQUENCE_GRAD_KERNEL] ?? 0;
    const got = outputsAndGrads(built, x);
    assert.ok(calls() > n && (nativeCalls[GRU_SEQUENCE_GRAD_KERNEL] ?? 0) > g, 'the built model runs both kernels');
    got.forEach((v, i) => assertClose(v, want[i]!, 1e-4, 1e-5, i === 0 ? 'output' : `gradient ${i - 1}`));
    const layers = (built.getConfig() as { layers: { className: string }[] }).layers;
    assert.equal(layers[0]!.className, 'GRU', 'saves as a plain GRU');
    x.dispose();
    source.dispose();
    built.dispose();
  } finally {
    await tf.setBackend('cpu');
  }
});
