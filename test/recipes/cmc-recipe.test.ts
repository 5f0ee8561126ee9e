import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { cmcRecipe, buildCmc } from '../../src/recipes/cmc-recipe.js';
import { buildAugmentation } from '../../src/augment/build-augmentation.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import type { LayersModelArch } from '../../src/models/layers-model-arch.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

const colour = { kind: 'image' as const, sampleShape: [8, 8, 3], trainSize: 100, arch: 'small-cnn' };

test('cmcRecipe: defaults (lab, core, softmax, K capped at the train size) and one-line ConfigErrors before any tensor', () => {
  const r = cmcRecipe({}, colour);
  assert.equal(r.augmentation, 'cmc');
  assert.deepEqual(r.cmc, {
    views: [{ name: 'lab-l' }, { name: 'lab-ab' }],
    graph: 'core',
    objective: 'softmax',
    negatives: 100,
    bankSize: 100,
  });
  assert.deepEqual(
    cmcRecipe({ views: 'lab,gradient', graph: 'full', objective: 'nce', negatives: 50 }, colour).cmc.views.map((v) => v.name),
    ['lab-l', 'lab-ab', 'gradient'],
  );
  const n = tf.memory().numTensors;
  assert.throws(
    () => cmcRecipe({}, { ...colour, sampleShape: [8, 8, 1] }),
    (e: unknown) => e instanceof ConfigError && /--views/.test(e.message) && /lab-l/.test(e.message),
  );
  assert.doesNotThrow(() => cmcRecipe({ views: 'gradient,half-luminance' }, { ...colour, sampleShape: [8, 8, 1] }));
  assert.throws(
    () => cmcRecipe({}, { ...colour, kind: 'vector', sampleShape: [10] }),
    (e: unknown) => e instanceof ConfigError && /--method/.test(e.message),
  );
  assert.throws(
    () => cmcRecipe({ views: 'lab-l' }, colour),
    (e: unknown) => e instanceof ConfigError && /at least 2/.test(e.message),
  );
  assert.throws(
    () => cmcRecipe({ graph: 'star' }, colour),
    (e: unknown) => e instanceof ConfigError && /--graph/.test(e.message),
  );
  assert.throws(
    () => cmcRecipe({}, { ...colour, arch: 'mlp' }),
    (e: unknown) => e instanceof ConfigError && /--arch/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, n);
});

test('buildCmc: half-width encoder per view, concatenated representation; trains a step', async () => {
  const recipe = {
    arch: 'small-cnn',
    inputShape: [8, 8, 3],
    width: 64,
    seed: 0,
    temperature: 0.07,
    projectionDim: 16,
    flip: true,
    ...cmcRecipe({ views: 'lab,half-luminance' }, colour),
  };
  const m = buildCmc(recipe, new Optimizer(), buildAugmentation(recipe));
  const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 1);
  const e = m.embed(x);
  assert.deepEqual(e.shape, [4, 3 * 64]);
  const { loss } = await m.trainStep({ x, indices: Int32Array.from([0, 1, 2, 3]) }, new Rng(1));
  assert.ok(Number.isFinite(loss));
  tf.dispose([x, e]);
  m.dispose();
});

/** A user's model as loadLayersModelArch makes it: conv + BatchNorm on grey images of any size, pooled to [N, 4]. */
function userArch(inputShape: (number | null)[]): LayersModelArch {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: inputShape as number[], filters: 4, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
  const arch: LayersModelArch = {
    source: 'my/model.json',
    className: m.getClassName(),
    config: JSON.parse(JSON.stringify(m.getConfig())),
    inputShape: m.inputs[0]!.shape.slice(1),
    inputCount: 1,
    outputShapes: m.outputs.map((o) => [...o.shape]),
  };
  m.dispose();
  return arch;
}

test("buildCmc with a user's model (--arch model.json): one copy per view that reads it; a view it cannot read is a ConfigError naming the view and both shapes, leaking nothing", async () => {
  const grey = { kind: 'image' as const, sampleShape: [8, 8, 1], trainSize: 100, arch: 'layers-model' };
  const recipe = {
    arch: 'layers-model',
    inputShape: [8, 8, 1],
    width: 64,
    seed: 0,
    temperature: 0.07,
    projectionDim: 16,
    flip: true,
    ...cmcRecipe({ views: 'gradient,half-luminance' }, grey),
  };
  const m = buildCmc(recipe, new Optimizer(), buildAugmentation(recipe), userArch([null, null, 1]));
  const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 1);
  const e = m.embed(x);
  assert.deepEqual(e.shape, [4, 2 * 4]);
  assert.ok(Number.isFinite((await m.trainStep({ x, indices: Int32Array.from([0, 1, 2, 3]) }, new Rng(1))).loss));
  tf.dispose([x, e]);
  m.dispose();
  const before = tf.memory().numTensors;
  assert.throws(
    () => buildCmc(recipe, new Optimizer(), buildAugmentation(recipe), userArch([8, 8, 1])),
    (err: Error) =>
      err instanceof ConfigError &&
      /--arch/.test(err.message) &&
      /view 'half-luminance'/.test(err.message) &&
      /\[8, 8, 1\]/.test(err.message) &&
      /\[4, 4, 1\]/.test(err.message),
  );
  assert.equal(tf.memory().numTensors, before);
});
