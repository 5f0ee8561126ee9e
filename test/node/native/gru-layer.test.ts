import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { skip } from './harness.js';
import { nativeCalls } from '../../../src/node/native/kernel-utils.js';
import { routeGruLayers, type GruArgs } from '../../../src/models/gru-layer.js';
import { GRU_SEQUENCE_GRAD_KERNEL, GRU_SEQUENCE_KERNEL } from '../../../src/models/gru-sequence.js';
import { buildLayersModel, type LayersModelArch } from '../../../src/models/layers-model-arch.js';
import { assertClose, randn } from '../../support/tensors.js';
import { checkRoutedLayer, outputsAndGrads } from '../../support/routed-layers.js';

const calls = (): number => nativeCalls[GRU_SEQUENCE_KERNEL] ?? 0;

const CASES: { what: string; args: Omit<GruArgs, 'units'>; units: number; shape: [number, number, number]; kernel: boolean }[] = [
  { what: 'defaults (hardSigmoid, last step)', args: {}, units: 9, shape: [4, 6, 5], kernel: true },
  { what: 'sigmoid, every step', args: { recurrentActivation: 'sigmoid', returnSequences: true }, units: 16, shape: [3, 5, 4], kernel: true },
  // B = 1 (T = 1 is in gru.test.ts: tfjs-layers' own GRU cannot differentiate a one-step sequence, Unpack's gradient throws)
  { what: 'no bias, B = 1', args: { useBias: false, returnSequences: true }, units: 7, shape: [1, 2, 3], kernel: true },
  { what: 'dropout (not fused)', args: { dropout: 0.5 }, units: 5, shape: [2, 3, 4], kernel: false },
  { what: 'relu activation (not fused)', args: { activation: 'relu' }, units: 5, shape: [2, 3, 4], kernel: false },
];

test('tf.layers.gru built directly, on native: the kernel where the config allows, same outputs and gradients as on cpu (tfjs-layers own call)', { skip }, async () => {
  routeGruLayers();
  try {
    for (const { what, args, units, shape, kernel } of CASES) {
      const make = () =>
        tf.layers.gru({
          units,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
          biasInitializer: tf.initializers.randomNormal({ seed: 3 }),
          ...args,
        });
      await checkRoutedLayer({ what, make, shape, kernel, random: args.dropout !== undefined }, [GRU_SEQUENCE_KERNEL, GRU_SEQUENCE_GRAD_KERNEL]);
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
