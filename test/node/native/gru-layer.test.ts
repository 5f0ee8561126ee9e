import { test } from 'node:test';
import * as tf from '../../../src/tf.js';
import { skip } from './harness.js';
import { routeGruLayers, type GruArgs } from '../../../src/models/gru-layer.js';
import { GRU_SEQUENCE_GRAD_KERNEL, GRU_SEQUENCE_KERNEL } from '../../../src/models/gru-sequence.js';
import { checkBuiltLayersModel, checkRoutedLayer } from '../../support/routed-layers.js';

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
  try {
    await checkBuiltLayersModel(tf.layers.gru({ units: 6, inputShape: [8, 3], recurrentInitializer: 'glorotUniform', biasInitializer: 'randomNormal' }), 'GRU', [GRU_SEQUENCE_KERNEL, GRU_SEQUENCE_GRAD_KERNEL]);
  } finally {
    await tf.setBackend('cpu');
  }
});
