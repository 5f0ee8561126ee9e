import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { gru } from '../../src/models/gru-layer.js';
import { useBackend, randn, assertClose, reloadFromMemory } from '../support/tensors.js';

before(() => useBackend());

test('gru: on a backend without the GRU kernel it is tfjs-layers GRU, and it saves and loads as a plain GRU', async () => {
  const input = tf.input({ shape: [5, 3] });
  const layer = gru({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: 'glorotUniform' });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  assert.equal(layer.getClassName(), 'GRU');
  const plainInput = tf.input({ shape: [5, 3] });
  const plain = tf.model({ inputs: plainInput, outputs: tf.layers.gru({ units: 4 }).apply(plainInput) as tf.SymbolicTensor });
  plain.setWeights(model.getWeights());
  const x = tf.tensor3d(randn(2 * 5 * 3, 4), [2, 5, 3]);
  const y = model.predict(x) as tf.Tensor;
  assertClose(y.dataSync(), (plain.predict(x) as tf.Tensor).dataSync(), 0, 0, 'same as tf.layers.gru');
  const loaded = await reloadFromMemory(model); // plain tf.loadLayersModel: a GRU
  assertClose((loaded.predict(x) as tf.Tensor).dataSync(), y.dataSync(), 0, 0, 'reloaded');
  tf.dispose([x, y]);
  for (const m of [model, plain, loaded]) m.dispose();
});
