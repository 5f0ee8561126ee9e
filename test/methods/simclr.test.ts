import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { simclr } from '../../src/methods/simclr.js';
import { mlp } from '../../src/models/mlp.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn, assertClose } from '../support/tensors.js';

before(() => useBackend());

/** Additive Gaussian noise: a simple, seeded view of a vector batch. */
const noise = (x: tf.Tensor, rng: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()), 0.1)));

function head(dim: number, seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [dim], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

function make(seed = 1) {
  return simclr({
    encoder: mlp({ inputDim: 12, hiddenUnits: [32, 16], seed }),
    head: head(16, seed),
    augmentation: noise,
    optimizer: new Optimizer({ learningRate: 1e-2 }),
  });
}

test('simclr: a step lowers the loss on its batch and leaks nothing', async () => {
  const m = make();
  const x = tf.tensor2d(randn(16 * 12, 3), [16, 12]);
  const first = await m.trainStep({ x, indices: new Int32Array(16) }, new Rng(7));
  let last = first.loss;
  for (let i = 0; i < 10; i++) last = (await m.trainStep({ x, indices: new Int32Array(16) }, new Rng(7))).loss;
  // same views every step (same Rng seed): the loss on them must go down
  assert.ok(last < first.loss - 0.05, `loss ${first.loss} -> ${last}`);
  assert.ok(Number.isFinite(first.gradNorm!) && first.gradNorm! > 0);
  // after the first step the optimizer's slots exist: later steps must not add any tensor
  const before = tf.memory().numTensors;
  await m.trainStep({ x, indices: new Int32Array(16) }, new Rng(8));
  assert.equal(tf.memory().numTensors, before, 'a training step leaked tensors');
  x.dispose();
  m.dispose();
});

test('simclr: embed returns [N, D] of the encoder output, leak-free', () => {
  const m = make();
  const x = tf.tensor2d(randn(5 * 12, 4), [5, 12]);
  const before = tf.memory().numTensors;
  const h = m.embed(x);
  assert.deepEqual(h.shape, [5, 16]);
  h.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  m.dispose();
});

test('simclr: getState/setState continues bit-exactly', async () => {
  const x = tf.tensor2d(randn(8 * 12, 5), [8, 12]);
  const a = make(3);
  await a.trainStep({ x, indices: new Int32Array(8) }, new Rng(1));
  const state = a.getState();
  const b = make(9); // different init, restored from a's state
  b.setState(state);
  tf.dispose(Object.values(state.tensors));
  const la = (await a.trainStep({ x, indices: new Int32Array(8) }, new Rng(2))).loss;
  const lb = (await b.trainStep({ x, indices: new Int32Array(8) }, new Rng(2))).loss;
  assert.equal(la, lb);
  const ha = a.embed(x);
  const hb = b.embed(x);
  assertClose(hb.dataSync(), ha.dataSync(), 0, 0, 'embedding after restore');
  tf.dispose([ha, hb, x]);
  a.dispose();
  b.dispose();
});

test('simclr: bad options and batches are typed errors', () => {
  assert.throws(() => simclr({ encoder: {} as tf.LayersModel, head: head(4, 0), augmentation: noise }), ConfigError);
  const m = make();
  assert.throws(() => simclr({ encoder: m.encoder, head: head(4, 0), augmentation: noise, temperature: 0 }), /temperature/);
  const one = tf.zeros([1, 12]);
  assert.throws(() => m.trainStep({ x: one, indices: new Int32Array(1) }, new Rng(0)), /at least 2 samples/);
  one.dispose();
  m.dispose();
});
