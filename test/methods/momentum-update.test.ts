import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { momentumUpdate } from '../../src/methods/momentum-update.js';
import { mlp } from '../../src/models/mlp.js';
import { ShapeError } from '../../src/errors.js';
import { assertClose, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('momentumUpdate: m = 0 copies, otherwise θk <- m θk + (1 - m) θq on every weight, leak-free', () => {
  const q = mlp({ inputDim: 4, hiddenUnits: [3], seed: 1 });
  const k = mlp({ inputDim: 4, hiddenUnits: [3], seed: 2 });
  const before = k.weights.map((w) => w.read().dataSync().slice());
  const n = tf.memory().numTensors;
  momentumUpdate(k, q, 0.75);
  assert.equal(tf.memory().numTensors, n);
  k.weights.forEach((w, i) => {
    const qv = q.weights[i]!.read().dataSync();
    assertClose(
      w.read().dataSync(),
      before[i]!.map((v, j) => 0.75 * v + 0.25 * qv[j]!),
      1e-6,
      1e-7,
    );
  });
  momentumUpdate(k, q, 0);
  k.weights.forEach((w, i) => assert.deepEqual(w.read().dataSync(), q.weights[i]!.read().dataSync()));
  const other = mlp({ inputDim: 5, hiddenUnits: [3], seed: 1 });
  assert.throws(() => momentumUpdate(other, q, 0.5), ShapeError);
  [q, k, other].forEach((m) => m.dispose());
});
