import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { gru, gruLayersRouted, routeGruLayers } from '../../src/models/gru-layer.js';
import { gruSequence } from '../../src/models/gru-sequence.js';
import { useBackend, randn, assertClose, reloadFromMemory } from '../support/tensors.js';

before(() => useBackend());

test('routed tf.layers.gru: on a backend without the GRU kernel its own call, which gruSequence matches (what the kernel path computes)', async () => {
  routeGruLayers();
  assert.ok(gruLayersRouted());
  for (const recurrentActivation of ['hardSigmoid', 'sigmoid'] as const) {
    const layer = tf.layers.gru({
      units: 4,
      recurrentActivation,
      returnSequences: true,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      recurrentInitializer: 'glorotUniform',
      biasInitializer: tf.initializers.randomNormal({ seed: 3 }),
    });
    const input = tf.input({ shape: [5, 3] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    const x = tf.tensor3d(randn(2 * 5 * 3, 4), [2, 5, 3]);
    const y = model.predict(x) as tf.Tensor;
    const [kernel, recurrent, bias] = layer.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const want = gruSequence(x, kernel, recurrent, bias, { recurrentActivation });
    assertClose(y.dataSync(), want.dataSync(), 1e-5, 1e-6, `${recurrentActivation}: tfjs-layers' call = gruSequence`);
    tf.dispose([x, y, want]);
    model.dispose();
  }
});

test('gru(): tf.layers.gru after routing; saves and loads as a plain GRU', async () => {
  const input = tf.input({ shape: [5, 3] });
  const layer = gru({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: 'glorotUniform' });
  assert.ok(gruLayersRouted());
  assert.equal(layer.getClassName(), 'GRU');
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  const x = tf.tensor3d(randn(2 * 5 * 3, 4), [2, 5, 3]);
  const y = model.predict(x) as tf.Tensor;
  const loaded = await reloadFromMemory(model); // plain tf.loadLayersModel: a GRU
  assertClose((loaded.predict(x) as tf.Tensor).dataSync(), y.dataSync(), 0, 0, 'reloaded');
  tf.dispose([x, y]);
  for (const m of [model, loaded]) m.dispose();
});
