import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Optimizer, decays } from '../../src/optim/optimizers.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, assertClose } from '../support/tensors.js';

before(() => useBackend());

/** One update of `opt` on variable w = `w0` with gradient `g0`; returns the new w. */
function once(opt: Optimizer, w0: number[], g0: number[], name = 'w_kernel', shape = [w0.length, 1]): number[] {
  const w = tf.variable(tf.tensor(w0, shape), true, `${name}_${Math.random()}`);
  const g = tf.tensor(g0, shape);
  opt.apply([w], { [w.name]: g }).gradNorm.dispose();
  const out = Array.from(w.dataSync());
  tf.dispose([w, g]);
  return out;
}

test('adam: matches tf.train.adam step by step without weight decay', () => {
  const ours = new Optimizer({ name: 'adam', learningRate: 0.1, weightDecay: 0 });
  const ref = tf.train.adam(0.1, 0.9, 0.999, 1e-8);
  const a = tf.variable(
    tf.tensor2d([
      [1, -2],
      [3, 0.5],
    ]),
    true,
    'adam_a',
  );
  const b = tf.variable(
    tf.tensor2d([
      [1, -2],
      [3, 0.5],
    ]),
    true,
    'adam_b',
  );
  for (let i = 0; i < 3; i++) {
    const ga = tf.tidy(() => tf.mul(a, tf.scalar(2 + i)));
    ours.apply([a], { [a.name]: ga }).gradNorm.dispose();
    ref.minimize(() => tf.mul(tf.sum(tf.square(b)), (2 + i) / 2) as tf.Scalar, false, [b]);
    ga.dispose();
  }
  assertClose(a.dataSync(), b.dataSync(), 1e-4, 1e-6, 'adam weights');
  ours.dispose();
  ref.dispose();
  tf.dispose([a, b]);
});

test('sgd: momentum and Nesterov updates by hand', () => {
  const plain = new Optimizer({ name: 'sgd', learningRate: 0.5, momentum: 0.9, weightDecay: 0 });
  const w = tf.variable(tf.tensor2d([[1], [2]]), true, 'sgd_w');
  const g = tf.tensor2d([[1], [-1]]);
  plain.apply([w], { [w.name]: g }).gradNorm.dispose(); // v = 0.5 g, w = w - v
  assertClose(w.dataSync(), [0.5, 2.5], 1e-6, 0, 'step 1');
  plain.apply([w], { [w.name]: g }).gradNorm.dispose(); // v = 0.9 * 0.5 g + 0.5 g = 0.95 g
  assertClose(w.dataSync(), [-0.45, 3.45], 1e-6, 0, 'step 2');
  // Nesterov: w -= momentum * v + lr * g, with v = lr g on the first step -> 0.9 * 0.5 + 0.5 = 0.95
  const nest = new Optimizer({ name: 'sgd', learningRate: 0.5, momentum: 0.9, nesterov: true, weightDecay: 0 });
  assertClose(once(nest, [1, 2], [1, -1]), [0.05, 2.95], 1e-6, 0, 'nesterov');
  tf.dispose([w, g]);
  plain.dispose();
  nest.dispose();
});

test('weight decay: applied to kernels, skipped for biases and norms', () => {
  assert.equal(decays('dense_1/kernel', [3, 4]), true);
  assert.equal(decays('dense_1/bias', [4]), false);
  assert.equal(decays('batch_normalization_1/gamma', [4]), false);
  assert.equal(decays('layer_norm/kernel', [4, 4]), false);
  const sgd = new Optimizer({ name: 'sgd', learningRate: 0.1, momentum: 0, weightDecay: 0.5 });
  // kernel: g + wd * w = 0 + 0.5 * 2 = 1 -> w = 2 - 0.1
  assertClose(once(sgd, [2, 2], [0, 0], 'k/kernel'), [1.9, 1.9], 1e-6, 0, 'kernel decays');
  assertClose(once(sgd, [2, 2], [0, 0], 'k/bias', [2]), [2, 2], 0, 0, 'bias does not decay');
  sgd.dispose();
});

test('lars: per-layer rate eta * ||w|| / (||g|| + wd * ||w||), none for biases', () => {
  const lars = new Optimizer({ name: 'lars', learningRate: 2, momentum: 0, eta: 0.1, weightDecay: 0.5 });
  // w = [3, 4] (norm 5), g = [0, 1] (norm 1): ratio = 0.1 * 5 / (1 + 2.5) = 1/7;
  // step = lr * ratio * (g + wd w) = 2/7 * [1.5, 3]
  assertClose(once(lars, [3, 4], [0, 1], 'l/kernel', [2, 1]), [3 - 3 / 7, 4 - 6 / 7], 1e-5, 0, 'kernel');
  // bias: no trust ratio, no decay -> plain lr * g
  assertClose(once(lars, [3, 4], [0, 1], 'l/bias', [2]), [3, 2], 1e-6, 0, 'bias');
  lars.dispose();
});

test('clipNorm: rescales to the global norm and reports the unclipped norm', () => {
  const sgd = new Optimizer({ name: 'sgd', learningRate: 1, momentum: 0, weightDecay: 0, clipNorm: 1 });
  const a = tf.variable(tf.tensor2d([[0], [0]]), true, 'clip_a');
  const b = tf.variable(tf.tensor1d([0]), true, 'clip_b');
  const ga = tf.tensor2d([[3], [0]]);
  const gb = tf.tensor1d([4]);
  const { gradNorm } = sgd.apply([a, b], { [a.name]: ga, [b.name]: gb });
  assertClose(gradNorm.dataSync()[0]!, 5, 1e-6, 0, 'norm');
  gradNorm.dispose();
  assertClose([...a.dataSync(), ...b.dataSync()], [-0.6, 0, -0.8], 1e-6, 1e-7, 'clipped update');
  tf.dispose([a, b, ga, gb]);
  sgd.dispose();
});

test('optimizer: state round trip continues identically, no leaks, typed errors', () => {
  const a = new Optimizer({ name: 'adam', learningRate: 0.1 });
  const w = tf.variable(tf.tensor2d([[1, 2]]), true, 'st_w');
  const g = tf.tensor2d([[0.3, -0.2]]);
  a.apply([w], { [w.name]: g }).gradNorm.dispose();
  const before = tf.memory().numTensors;
  a.apply([w], { [w.name]: g }).gradNorm.dispose();
  assert.equal(tf.memory().numTensors, before, 'apply leaked');
  const st = a.getState();
  const b = new Optimizer({ name: 'adam', learningRate: 0.1 });
  b.setState(st);
  tf.dispose(Object.values(st.slots));
  // a and b (restored from a) take the same next step from the same weights
  const snap = w.clone();
  a.apply([w], { [w.name]: g }).gradNorm.dispose();
  const afterA = Array.from(w.dataSync());
  w.assign(snap);
  b.apply([w], { [w.name]: g }).gradNorm.dispose();
  assertClose(w.dataSync(), afterA, 0, 0, 'restored optimizer step');
  assert.equal(b.step, 3);
  const sb = b.getState();
  assert.deepEqual(Object.keys(sb.slots).sort(), [`m/${w.name}`, `v/${w.name}`]);
  tf.dispose(Object.values(sb.slots));
  assert.throws(() => new Optimizer({ name: 'rmsprop' as 'adam' }), ConfigError);
  assert.throws(() => new Optimizer({ momentum: 2 }), /momentum/);
  assert.throws(() => b.setState({ name: 'sgd', step: 0, slots: {} }), /sgd/);
  tf.dispose([w, snap, g]);
  a.dispose();
  b.dispose();
});

test('optimizer: `when` false keeps every variable and slot through a non-finite gradient; true updates as without it; no leak', () => {
  for (const name of ['adam', 'sgd'] as const) {
    const w = tf.variable(tf.tensor2d([1, -2, 3, 0.5], [2, 2]), true, `when_${name}_w`);
    const w2 = tf.variable(tf.tensor2d([1, -2, 3, 0.5], [2, 2]), true, `when_${name}_w2`);
    const opt = new Optimizer({ name, learningRate: 0.1 });
    const ref = new Optimizer({ name, learningRate: 0.1 });
    const g = tf.tensor2d([0.5, 1, -1, 2], [2, 2]);
    const bad = tf.tensor2d([NaN, 1, Infinity, 2], [2, 2]);
    const yes = tf.scalar(true, 'bool');
    const no = tf.scalar(false, 'bool');
    opt.apply([w], { [w.name]: g }, { when: yes }).gradNorm.dispose();
    ref.apply([w2], { [w2.name]: g }).gradNorm.dispose();
    assertClose(w.dataSync(), w2.dataSync(), 0, 0, `${name}: when true`);
    const before = tf.memory().numTensors;
    const kept = Array.from(w.dataSync());
    const slotsBefore = Object.values(opt.getState().slots).map((t) => {
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    });
    opt.apply([w], { [w.name]: bad }, { when: no }).gradNorm.dispose();
    assert.equal(tf.memory().numTensors, before, `${name}: no leak`);
    assert.deepEqual(Array.from(w.dataSync()), kept, `${name}: weights kept`);
    const slotsAfter = Object.values(opt.getState().slots).map((t) => {
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    });
    assert.deepEqual(slotsAfter, slotsBefore, `${name}: slots kept`);
    opt.dispose();
    ref.dispose();
    tf.dispose([w, w2, g, bad, yes, no]);
  }
});
