/**
 * Leak tests for every method: after a first step (which creates the optimizer's slots), more
 * training steps leave `tf.memory().numTensors` unchanged; `embed` returns one tensor and keeps
 * nothing; a getState/setState round trip keeps nothing; `dispose` frees every tensor the method
 * made. The CLI's methods are built the same way with bigger models (src/recipes/recipe.ts).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { useBackend } from '../support/tensors.js';
import { TINY_METHODS, tinyMethod } from './tiny-methods.js';

before(() => useBackend());

for (const name of TINY_METHODS) {
  test(`${name}: training steps, embed, state round trip and dispose leak nothing`, async () => {
    const start = tf.memory().numTensors;
    const { method, batch } = tinyMethod(name);
    const rng = new Rng(5);
    const step = async (k: number): Promise<number> => {
      const b = batch(k);
      try {
        return (await method.trainStep(b, rng)).loss;
      } finally {
        b.x.dispose();
      }
    };
    assert.ok(Number.isFinite(await step(0)));
    const n0 = tf.memory().numTensors;
    for (let k = 1; k <= 3; k++) {
      assert.ok(Number.isFinite(await step(k)));
      assert.equal(tf.memory().numTensors, n0, `${name}: step ${k + 1} leaked ${tf.memory().numTensors - n0} tensor(s)`);
    }
    const b = batch(9);
    const h = method.embed(b.x);
    b.x.dispose();
    assert.equal(h.rank, 2);
    assert.equal(tf.memory().numTensors, n0 + 1, 'embed returns one tensor and keeps nothing');
    h.dispose();
    const state = method.getState();
    const held = Object.keys(state.tensors).length;
    assert.equal(tf.memory().numTensors, n0 + held, 'getState returns copies and keeps nothing else');
    method.setState(state);
    tf.dispose(Object.values(state.tensors));
    assert.equal(tf.memory().numTensors, n0, 'setState copies and keeps nothing extra');
    assert.ok(Number.isFinite(await step(4)));
    assert.equal(tf.memory().numTensors, n0, 'a step after setState leaked');
    method.dispose();
    assert.equal(tf.memory().numTensors, start, `${name}: dispose left ${tf.memory().numTensors - start} tensor(s)`);
  });
}
