import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { invaSpread } from '../../src/methods/inva-spread.js';
import { invaSpreadLoss } from '../../src/losses/inva-spread.js';
import { mlp } from '../../src/models/mlp.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { ConfigError } from '../../src/errors.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

/** Additive Gaussian noise: a simple, seeded view of a vector batch. */
const noise = (x: tf.Tensor, rng: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()), 0.1)));

function head(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [16], units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed }) })],
  });
}

function make(seed = 1, augmentBoth = true) {
  const encoder = mlp({ inputDim: 12, hiddenUnits: [32, 16], batchNorm: false, seed });
  const h = head(seed + 10);
  return {
    encoder,
    head: h,
    method: invaSpread({ encoder, head: h, augmentation: noise, augmentBoth, optimizer: new Optimizer({ learningRate: 1e-2 }) }),
  };
}

/** The loss of the current model on the views a step with `seed` makes. */
function lossOn(encoder: tf.LayersModel, h: tf.LayersModel, x: tf.Tensor, seed: number, augmentBoth = true): number {
  const rng = new Rng(seed);
  const l = tf.tidy(() => {
    const a = augmentBoth ? noise(x, rng) : x;
    const b = noise(x, rng);
    const f = h.apply(encoder.apply(a)) as tf.Tensor2D;
    const fh = h.apply(encoder.apply(b)) as tf.Tensor2D;
    return invaSpreadLoss(f, fh);
  });
  const v = l.dataSync()[0]!;
  l.dispose();
  return v;
}

for (const augmentBoth of [true, false]) {
  test(`invaSpread (augmentBoth ${augmentBoth}): one step lowers the loss on its batch, steps leak nothing`, async () => {
    const { encoder, head: h, method } = make(2, augmentBoth);
    const x = tf.tensor2d(randn(16 * 12, 3), [16, 12]);
    const want = lossOn(encoder, h, x, 7, augmentBoth);
    const first = await method.trainStep({ x, indices: new Int32Array(16) }, new Rng(7));
    assertClose(first.loss, want, 1e-5, 1e-6, 'step loss = loss of the step views');
    assert.ok(first.gradNorm! > 0);
    const after = lossOn(encoder, h, x, 7, augmentBoth);
    assert.ok(after < first.loss, `loss on the same views: ${first.loss} -> ${after}`);
    let last = first.loss;
    for (let i = 0; i < 8; i++) last = (await method.trainStep({ x, indices: new Int32Array(16) }, new Rng(7))).loss;
    assert.ok(last < first.loss - 0.05, `loss ${first.loss} -> ${last}`);
    const n0 = tf.memory().numTensors;
    await method.trainStep({ x, indices: new Int32Array(16) }, new Rng(8));
    assert.equal(tf.memory().numTensors, n0, 'a training step leaked tensors');
    x.dispose();
    method.dispose();
  });
}

test('invaSpread: embed returns [N, H] of the encoder output, leak-free', () => {
  const { method } = make();
  const x = tf.tensor2d(randn(5 * 12, 4), [5, 12]);
  const n0 = tf.memory().numTensors;
  const h = method.embed(x);
  assert.equal(tf.memory().numTensors, n0 + 1);
  assert.deepEqual(h.shape, [5, 16]);
  tf.dispose([h, x]);
  method.dispose();
});

test('invaSpread: getState/setState continues bit-exactly', async () => {
  const x = tf.tensor2d(randn(8 * 12, 5), [8, 12]);
  const a = make(3).method;
  await a.trainStep({ x, indices: new Int32Array(8) }, new Rng(1));
  const state = a.getState();
  const b = make(9).method;
  b.setState(state);
  tf.dispose(Object.values(state.tensors));
  assert.equal(
    (await a.trainStep({ x, indices: new Int32Array(8) }, new Rng(2))).loss,
    (await b.trainStep({ x, indices: new Int32Array(8) }, new Rng(2))).loss,
  );
  x.dispose();
  a.dispose();
  b.dispose();
});

test('invaSpread: typed errors', () => {
  const enc = mlp({ inputDim: 12, hiddenUnits: [16] });
  assert.throws(
    () => invaSpread({ encoder: enc, head: head(1), augmentation: noise, temperature: -1 }),
    (e) => e instanceof ConfigError && /invaSpread: `temperature` must be > 0, got -1/.test(e.message),
  );
  assert.throws(
    () => invaSpread({ encoder: enc, head: undefined as unknown as tf.LayersModel, augmentation: noise }),
    (e) => e instanceof ConfigError && /`head` must be a tf.LayersModel/.test(e.message),
  );
  assert.throws(
    () => invaSpread({ encoder: enc, head: head(1), augmentation: 3 as unknown as typeof noise }),
    (e) => e instanceof ConfigError && /`augmentation` must be a function/.test(e.message),
  );
  const { method } = make();
  const x = tf.zeros([1, 12]);
  assert.throws(
    () => method.trainStep({ x, indices: new Int32Array(1) }, new Rng(1)),
    (e) => e instanceof ConfigError && /`batch.x` must be a tensor with at least 2 samples/.test(e.message),
  );
  x.dispose();
  method.dispose();
  enc.dispose();
});
