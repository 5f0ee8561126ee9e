import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { SequenceGru, gruContext, sequencePool, type SequencePooling } from '../../src/models/gru-context.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn, assertClose, reloadFromMemory } from '../support/tensors.js';

before(() => useBackend());

/** tf.layers.gru (sigmoid gates, every step) with the weights of `mine`. */
function reference(mine: tf.LayersModel, d: number, u: number): tf.LayersModel {
  const input = tf.input({ shape: [null, d] });
  const layer = tf.layers.gru({ units: u, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' });
  const m = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  layer.setWeights(mine.getWeights());
  return m;
}

test('SequenceGru: same outputs and gradients as tf.layers.gru with the same weights', () => {
  const [b, t, d, u] = [3, 7, 5, 4];
  const mine = gruContext({ inputDim: d, units: u, seed: 3 });
  // non-zero biases so that every weight is exercised
  const w = mine.getWeights();
  const bias = tf.tensor1d(randn(3 * u, 9));
  mine.setWeights([w[0]!, w[1]!, bias]);
  bias.dispose();
  const ref = reference(mine, d, u);
  const x = tf.tensor3d(randn(b * t * d, 4), [b, t, d]);
  const a = mine.predict(x) as tf.Tensor;
  const r = ref.predict(x) as tf.Tensor;
  assert.deepEqual(a.shape, [b, t, u]);
  assertClose(a.dataSync(), r.dataSync(), 1e-4, 1e-5, 'GRU output');
  const g = (m: tf.LayersModel) => tf.grads((xx: tf.Tensor) => tf.sum(tf.square(m.apply(xx) as tf.Tensor)))([x])[0]!;
  const ga = g(mine);
  const gr = g(ref);
  assertClose(ga.dataSync(), gr.dataSync(), 1e-3, 1e-5, 'gradient wrt input');
  // the weights' gradients (the backward pass is written by hand), at every sequence length down to 1
  for (const steps of [t, 1]) {
    const xs = tf.tidy(() => tf.slice(x, [0, 0, 0], [b, steps, d]));
    const wg = (m: tf.LayersModel) => {
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(xs) as tf.Tensor)) as tf.Scalar, vars);
      value.dispose();
      return vars.map((v) => grads[v.name]!);
    };
    const before = tf.memory().numTensors;
    const gm = wg(mine);
    assert.equal(tf.memory().numTensors, before + 3, 'only the three gradients remain');
    const gf = wg(ref);
    ['kernel', 'recurrent kernel', 'bias'].forEach((name, i) =>
      assertClose(gm[i]!.dataSync(), gf[i]!.dataSync(), 1e-3, 1e-5, `gradient wrt ${name}, ${steps} steps`),
    );
    tf.dispose([xs, ...gm, ...gf]);
  }
  tf.dispose([x, a, r, ga, gr]);
  mine.dispose();
  ref.dispose();
});

test('SequenceGru: c_t depends on z_1..z_t only (causal), leak-free', () => {
  const m = gruContext({ inputDim: 3, units: 6, seed: 1 });
  const za = randn(10 * 3, 2);
  const zb = za.slice();
  for (let i = 6 * 3; i < zb.length; i++) zb[i] = zb[i]! + 2;
  const before = tf.memory().numTensors;
  const ca = tf.tidy(() => (m.predict(tf.tensor3d(za, [1, 10, 3])) as tf.Tensor).arraySync() as number[][][]);
  const cb = tf.tidy(() => (m.predict(tf.tensor3d(zb, [1, 10, 3])) as tf.Tensor).arraySync() as number[][][]);
  assert.equal(tf.memory().numTensors, before);
  for (let t = 0; t < 6; t++) assertClose(cb[0]![t]!, ca[0]![t]!, 0, 0, `c_${t}`);
  assert.notDeepEqual(cb[0]![6], ca[0]![6]);
  m.dispose();
});

/** A GRU context (2 -> 4 units) pooled by `mode` saves, loads and gives the same `[B, ...]` output on `x`. */
async function assertPooledModelReloads(mode: SequencePooling, x: tf.Tensor, shape: number[]): Promise<void> {
  const input = tf.input({ shape: [null, 2] });
  const c = gruContext({ inputDim: 2, units: 4, seed: 5 }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: sequencePool({ mode }).apply(c) as tf.SymbolicTensor });
  const loaded = await reloadFromMemory(model);
  const ya = model.predict(x) as tf.Tensor;
  const yb = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(yb.shape, shape);
  assertClose(yb.dataSync(), ya.dataSync(), 0, 0, `loaded ${mode} model output`);
  tf.dispose([ya, yb]);
  model.dispose();
  loaded.dispose();
}

test('SequencePool: last step, mean and maximum over time; a model with it saves and loads', async () => {
  const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
  const last = sequencePool({ mode: 'last' }).apply(x) as tf.Tensor;
  const mean = sequencePool({ mode: 'mean' }).apply(x) as tf.Tensor;
  const y = tf.tensor3d([1, -2, 7, 4, 5, -6, 0, 8, -9, 10, 11, 12], [2, 3, 2]);
  const max = sequencePool({ mode: 'max' }).apply(y) as tf.Tensor;
  assert.deepEqual(max.arraySync(), [
    [7, 4],
    [11, 12],
  ]);
  tf.dispose([y, max]);
  assert.deepEqual(last.arraySync(), [
    [5, 6],
    [11, 12],
  ]);
  assert.deepEqual(mean.arraySync(), [
    [3, 4],
    [9, 10],
  ]);
  tf.dispose([last, mean]);
  assert.throws(() => sequencePool({ mode: 'median' as 'last' }), ConfigError);
  await assertPooledModelReloads('max', x, [2, 4]);
  x.dispose();
});

test('SequencePool pyramid: means of the whole, the halves and the quarters; short sequences repeat steps', async () => {
  // one sequence of 8 steps, 1 unit: 0..7
  const x = tf.tensor3d([0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 1]);
  const layer = sequencePool({ mode: 'pyramid' });
  const before = tf.memory().numTensors;
  const y = layer.apply(x) as tf.Tensor;
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(layer.computeOutputShape([null, 8, 1]), [null, 7]);
  assertClose(y.dataSync(), [3.5, 1.5, 5.5, 0.5, 2.5, 4.5, 6.5], 1e-6, 0, 'pyramid of 0..7');
  // 2 units keep their order inside each segment: [whole u0, whole u1, first half u0, ...]
  const x2 = tf.tensor3d([0, 10, 1, 11, 2, 12, 3, 13], [1, 4, 2]);
  const y2 = sequencePool({ mode: 'pyramid' }).apply(x2) as tf.Tensor;
  assertClose(y2.dataSync(), [1.5, 11.5, 0.5, 10.5, 2.5, 12.5, 0, 10, 1, 11, 2, 12, 3, 13], 1e-6, 0, 'pyramid of 2 units');
  // 3 steps: each quarter is one step, the first repeated (steps 0, 0, 1, 2); the halves are [0] and [1, 2]
  const x3 = tf.tensor3d([1, 2, 4], [1, 3, 1]);
  const y3 = sequencePool({ mode: 'pyramid' }).apply(x3) as tf.Tensor;
  assertClose(y3.dataSync(), [7 / 3, 1, 3, 1, 1, 2, 4], 1e-6, 0, 'pyramid of 3 steps');
  tf.dispose([x, y, x2, y2, x3, y3]);
  const z = tf.randomNormal([2, 5, 2], 0, 1, 'float32', 3);
  await assertPooledModelReloads('pyramid', z, [2, 28]);
  z.dispose();
});

test('gruContext: bad options are ConfigErrors; SequenceGru is registered for loading', () => {
  assert.throws(
    () => gruContext({ inputDim: 0 }),
    (e: Error) => e instanceof ConfigError && /gruContext: `inputDim`/.test(e.message),
  );
  assert.throws(
    () => gruContext({ inputDim: 4, units: 2.5 }),
    (e: Error) => e instanceof ConfigError && /`units`/.test(e.message),
  );
  assert.equal(SequenceGru.className, 'ContrastiveSequenceGru');
});
