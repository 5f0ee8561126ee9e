import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { cmcRecipe, buildCmc } from '../../src/recipes/cmc-recipe.js';
import { buildAugmentation } from '../../src/augment/build-augmentation.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

const colour = { kind: 'image' as const, sampleShape: [8, 8, 3], trainSize: 100, arch: 'small-cnn' };

test('cmcRecipe: defaults (lab, core, softmax, K capped at the train size) and one-line ConfigErrors before any tensor', () => {
  const r = cmcRecipe({}, colour);
  assert.equal(r.augmentation, 'cmc');
  assert.deepEqual(r.cmc, { views: [{ name: 'lab-l' }, { name: 'lab-ab' }], graph: 'core', objective: 'softmax', negatives: 100, bankSize: 100 });
  assert.deepEqual(cmcRecipe({ views: 'lab,gradient', graph: 'full', objective: 'nce', negatives: 50 }, colour).cmc.views.map((v) => v.name), ['lab-l', 'lab-ab', 'gradient']);
  const n = tf.memory().numTensors;
  assert.throws(() => cmcRecipe({}, { ...colour, sampleShape: [8, 8, 1] }), (e: unknown) => e instanceof ConfigError && /--views/.test(e.message) && /lab-l/.test(e.message));
  assert.doesNotThrow(() => cmcRecipe({ views: 'gradient,half-luminance' }, { ...colour, sampleShape: [8, 8, 1] }));
  assert.throws(() => cmcRecipe({}, { ...colour, kind: 'vector', sampleShape: [10] }), (e: unknown) => e instanceof ConfigError && /--method/.test(e.message));
  assert.throws(() => cmcRecipe({ views: 'lab-l' }, colour), (e: unknown) => e instanceof ConfigError && /at least 2/.test(e.message));
  assert.throws(() => cmcRecipe({ graph: 'star' }, colour), (e: unknown) => e instanceof ConfigError && /--graph/.test(e.message));
  assert.throws(() => cmcRecipe({}, { ...colour, arch: 'mlp' }), (e: unknown) => e instanceof ConfigError && /--arch/.test(e.message));
  assert.equal(tf.memory().numTensors, n);
});

test('buildCmc: half-width encoder per view, concatenated representation; trains a step', async () => {
  const recipe = { arch: 'small-cnn', inputShape: [8, 8, 3], width: 64, seed: 0, temperature: 0.07, projectionDim: 16, flip: true, ...cmcRecipe({ views: 'lab,half-luminance' }, colour) };
  const m = buildCmc(recipe, new Optimizer(), buildAugmentation(recipe));
  const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 1);
  const e = m.embed(x);
  assert.deepEqual(e.shape, [4, 3 * 64]);
  const { loss } = await m.trainStep({ x, indices: Int32Array.from([0, 1, 2, 3]) }, new Rng(1));
  assert.ok(Number.isFinite(loss));
  tf.dispose([x, e]);
  m.dispose();
});
