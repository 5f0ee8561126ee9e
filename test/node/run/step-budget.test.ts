import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { measureStepSeconds, sizeStepsToBudget } from '../../../src/node/run/step-budget.js';
import { loadDataset } from '../../../src/node/data/load-dataset.js';
import type { Recipe } from '../../../src/recipes/recipe.js';
import { useBackend } from '../../support/tensors.js';

before(() => useBackend());

const recipe: Recipe = {
  method: 'simclr',
  arch: 'mlp',
  inputShape: [64],
  kind: 'vector',
  width: 8,
  augmentation: 'vector-corruption',
  flip: false,
  temperature: 0.5,
  projectionDim: 16,
  seed: 0,
};

/** A clock that moves `ms` forward at every reading. */
const ticking = (ms: number): (() => number) => {
  let t = 0;
  return () => (t += ms);
};

test("measureStepSeconds: the injected clock's time over the timed steps (warm-up not counted); no tensor leaks", async () => {
  const data = await loadDataset('digits', { limit: 40 });
  const before = tf.memory().numTensors;
  // two readings, 300 ms apart, around 3 timed steps: 0.1 s a step
  const s = await measureStepSeconds(recipe, data, 16, { steps: 3, now: ticking(300) });
  assert.ok(Math.abs(s - 0.1) < 1e-12, `${s}`);
  assert.equal(tf.memory().numTensors, before);
  const real = await measureStepSeconds(recipe, data, 16);
  assert.ok(real > 0 && real < 60, `a real step of a small MLP: ${real} s`);
  assert.equal(tf.memory().numTensors, before);
});

test('sizeStepsToBudget: budget / measured step, within the bounds', async () => {
  const data = await loadDataset('digits', { limit: 40 });
  assert.deepEqual(await sizeStepsToBudget(recipe, data, 16, 3, { steps: 2, now: ticking(500) }), { steps: 12, stepSeconds: 0.25 });
  assert.deepEqual(await sizeStepsToBudget(recipe, data, 16, 3, { steps: 2, now: ticking(500), maxSteps: 10 }), {
    steps: 10,
    stepSeconds: 0.25,
  });
  assert.deepEqual(await sizeStepsToBudget(recipe, 'digits', 16, 0.1, { steps: 2, now: ticking(500) }), { steps: 1, stepSeconds: 0.25 });
});
