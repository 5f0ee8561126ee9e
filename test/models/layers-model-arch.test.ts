import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { buildLayersModel, checkLayersModelArch, type LayersModelArch } from '../../src/models/layers-model-arch.js';
import { buildMethod, type Recipe } from '../../src/recipes/recipe.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

/** A small conv + BatchNorm encoder of 8x8 grey images as plain data (what loadLayersModelArch makes). */
function archOf(model: tf.LayersModel, withWeights: boolean): LayersModelArch {
  const arch: LayersModelArch = {
    source: 'test/model.json',
    className: model.getClassName(),
    config: JSON.parse(JSON.stringify(model.getConfig())),
    inputShape: model.inputs[0]!.shape.slice(1),
    inputCount: model.inputs.length,
    outputShapes: model.outputs.map((o) => [...o.shape]),
    ...(withWeights
      ? {
          weights: model.weights.map((w) => ({
            shape: w.shape as number[],
            dtype: 'float32' as const,
            values: w.read().dataSync().slice() as Float32Array,
          })),
        }
      : {}),
  };
  return arch;
}

const convBn = (): tf.LayersModel =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.globalAveragePooling2d({}),
    ],
  });

test('checkLayersModelArch: names both shapes on a wrong input, asks for pooling on a rank-4 output, refuses two inputs', () => {
  const m = convBn();
  const arch = archOf(m, false);
  m.dispose();
  checkLayersModelArch(arch, [8, 8, 1]);
  assert.throws(
    () => checkLayersModelArch(arch, [64]),
    (e: Error) => e instanceof ConfigError && /--arch/.test(e.message) && /\[8, 8, 1\]/.test(e.message) && /\[64\]/.test(e.message),
  );
  assert.throws(() => checkLayersModelArch({ ...arch, outputShapes: [[null, 8, 8, 4]] }, [8, 8, 1]), /GlobalAveragePooling2D or a Flatten/);
  assert.throws(() => checkLayersModelArch({ ...arch, outputShapes: [[null, null]] }, [8, 8, 1]), /fixed D/);
  assert.throws(() => checkLayersModelArch({ ...arch, inputCount: 2 }, [8, 8, 1]), /2 inputs/);
  // a null dimension reads any size
  checkLayersModelArch({ ...arch, inputShape: [null, null, 1] }, [28, 28, 1]);
});

test('buildLayersModel: seeded initializers (same seed, same weights), saved weights when the arch has them, renamed on request; no leak', () => {
  const m = convBn();
  const plain = archOf(m, false);
  const withWeights = archOf(m, true);
  const before = tf.memory().numTensors;
  const a = buildLayersModel(plain, { seed: 3 });
  const b = buildLayersModel(plain, { seed: 3 });
  const c = buildLayersModel(plain, { seed: 4, name: 'view2' });
  const d = buildLayersModel(withWeights, { seed: 9 });
  const kernel = (x: tf.LayersModel): number[] => Array.from(x.weights[0]!.read().dataSync());
  assert.deepEqual(kernel(a), kernel(b));
  assert.notDeepEqual(kernel(a), kernel(c));
  assert.equal(c.name, 'view2');
  assert.deepEqual(kernel(d), kernel(m));
  assert.deepEqual(d.outputs[0]!.shape, [null, 4]);
  for (const x of [a, b, c, d]) x.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () => buildLayersModel({ ...withWeights, weights: withWeights.weights!.slice(1) }, { seed: 0 }),
    /weights for a model with/,
  );
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});

test("buildMethod with arch 'layers-model': SimCLR and MoCo train the user's model, leak nothing per step, embed [N, D]", async () => {
  const m = convBn();
  const layersModel = archOf(m, true);
  m.dispose();
  for (const method of ['simclr', 'moco'] as const) {
    const recipe: Recipe = {
      method,
      arch: 'layers-model',
      layersModel: { source: 'test/model.json', weights: true, file: 'arch.json' },
      inputShape: [8, 8, 1],
      kind: 'image',
      width: 8,
      augmentation: 'small-grey',
      flip: false,
      temperature: 0.5,
      projectionDim: 8,
      seed: 0,
      ...(method === 'moco' ? { queueSize: 16, keyMomentum: 0.9 } : {}),
    };
    const built = buildMethod({ recipe, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 0, clipNorm: 0 }, layersModel });
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 1);
    await built.trainStep({ x, indices: new Int32Array(4) }, new Rng(0)); // first step makes the optimizer's slots
    const n = tf.memory().numTensors;
    const r = await built.trainStep({ x, indices: new Int32Array(4) }, new Rng(1));
    assert.ok(Number.isFinite(r.loss), `${method}: loss ${r.loss}`);
    assert.equal(tf.memory().numTensors, n, `${method}: a step leaks no tensor`);
    const h = built.embed(x);
    assert.deepEqual(h.shape, [4, 4]);
    tf.dispose([x, h]);
    built.dispose();
    assert.throws(
      () => buildMethod({ recipe, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 0, clipNorm: 0 } }),
      /layersModel.*is required/,
    );
  }
});
