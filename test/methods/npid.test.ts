import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { npid, bankKnnAccuracy, type NpidObjective, type NpidOptions } from '../../src/methods/npid.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { MemoryBank } from '../../src/memory/memory-bank.js';
import { npidNceLoss, estimateNceNormalizer } from '../../src/losses/npid-nce.js';
import { nonParametricSoftmaxLoss } from '../../src/losses/non-parametric-softmax.js';
import { mlp } from '../../src/models/mlp.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const B = 16;
const SIZE = 64;
const DIM = 8;
const K = 32;

function head(seed: number, out = DIM): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [16], units: out, kernelInitializer: tf.initializers.glorotUniform({ seed }) })],
  });
}

/** No BatchNorm and no augmentation: training-mode and inference-mode features are the same, so losses can be recomputed outside. */
function make(objective: NpidObjective, seed = 1, extra: Partial<NpidOptions> = {}) {
  return npid({
    encoder: mlp({ inputDim: 12, hiddenUnits: [32, 16], batchNorm: false, seed }),
    head: head(seed + 10),
    bank: new MemoryBank({ size: SIZE, dim: DIM, seed }),
    objective,
    negatives: K,
    temperature: 0.1,
    optimizer: new Optimizer({ learningRate: 1e-2 }),
    ...extra,
  });
}

const batch = () => ({ x: tf.tensor2d(randn(B * 12, 3), [B, 12]), indices: Int32Array.from({ length: B }, (_, i) => 3 * i) });

function snapshot(bank: MemoryBank): MemoryBank {
  const s = bank.state();
  return MemoryBank.fromState({ ...s, data: s.data.slice() });
}

/** The loss of the method's current model against a given bank (same noise draw as a step with `seed`). */
function lossAgainst(m: ReturnType<typeof make>, bank: MemoryBank, x: tf.Tensor, idx: Int32Array, seed: number): number {
  const v = m.features(x);
  let l: tf.Scalar;
  if (m.objective === 'softmax') l = nonParametricSoftmaxLoss(v, bank, idx, { temperature: 0.1 });
  else {
    const noiseT = bank.getTransposed(bank.sample(K, { rng: new Rng(seed) }));
    const pos = bank.get(idx);
    l = npidNceLoss(v, pos, noiseT, { temperature: 0.1, normalizer: m.normalizer!, bankSize: SIZE });
    tf.dispose([noiseT, pos]);
  }
  const out = l.dataSync()[0]!;
  tf.dispose([l, v]);
  return out;
}

for (const objective of ['nce', 'softmax'] as const) {
  test(`npid (${objective}): the step's loss uses the bank rows from BEFORE its update, then updates them`, async () => {
    const m = make(objective);
    const { x, indices } = batch();
    const old = snapshot(m.bank);
    const vBefore = m.features(x);
    if (objective === 'nce') {
      // Z as the first step will estimate it
      const noiseT = old.getTransposed(old.sample(K, { rng: new Rng(7) }));
      const pos = old.get(indices);
      const z = estimateNceNormalizer(vBefore, pos, noiseT, { temperature: 0.1, bankSize: SIZE });
      tf.dispose([noiseT, pos]);
      const { loss, normalizer } = await m.trainStep({ x, indices }, new Rng(7));
      assertClose(normalizer!, z, 1e-5, 0, 'Z from the first batch');
      const o2 = snapshot(old);
      // recompute with the OLD bank and the OLD model: must equal the step's loss
      const want = (() => {
        const nT = o2.getTransposed(o2.sample(K, { rng: new Rng(7) }));
        const p = o2.get(indices);
        const l = npidNceLoss(vBefore, p, nT, { temperature: 0.1, normalizer: z, bankSize: SIZE });
        const r = l.dataSync()[0]!;
        tf.dispose([nT, p, l]);
        return r;
      })();
      assertClose(loss, want, 1e-5, 1e-6, 'step loss vs old-bank loss');
    } else {
      const want = nonParametricSoftmaxLoss(vBefore, old, indices, { temperature: 0.1 });
      const { loss } = await m.trainStep({ x, indices }, new Rng(7));
      assertClose(loss, want.dataSync()[0]!, 1e-5, 1e-6, 'step loss vs old-bank loss');
      want.dispose();
    }
    // rows of the batch: normalize(0.5 old + 0.5 v_before); the others untouched
    const v = vBefore.arraySync();
    for (const [b, i] of [
      [0, indices[0]!],
      [5, indices[5]!],
    ] as const) {
      const mix = Array.from({ length: DIM }, (_, c) => 0.5 * old.data[i * DIM + c]! + 0.5 * v[b]![c]!);
      const norm = Math.hypot(...mix);
      assertClose(
        m.bank.data.subarray(i * DIM, (i + 1) * DIM),
        mix.map((u) => u / norm),
        1e-4,
        1e-5,
        `bank row ${i}`,
      );
    }
    assertClose(m.bank.data.subarray(DIM, 2 * DIM), old.data.subarray(DIM, 2 * DIM), 0, 0, 'row 1 is not in the batch');
    tf.dispose([x, vBefore]);
    m.dispose();
  });

  test(`npid (${objective}): one step lowers the loss on its batch (same bank), and steps leak nothing`, async () => {
    const m = make(objective, 2);
    const { x, indices } = batch();
    const old = snapshot(m.bank);
    const first = await m.trainStep({ x, indices }, new Rng(7));
    assert.ok(Number.isFinite(first.loss) && first.gradNorm! > 0);
    const after = lossAgainst(m, old, x, indices, 7);
    assert.ok(after < first.loss, `loss on the batch against the same bank: ${first.loss} -> ${after}`);
    // repeated steps keep lowering it (the bank moving toward the features helps too)
    let last = first.loss;
    for (let i = 0; i < 8; i++) last = (await m.trainStep({ x, indices }, new Rng(7))).loss;
    assert.ok(last < first.loss - 0.05, `loss ${first.loss} -> ${last}`);
    const n0 = tf.memory().numTensors;
    await m.trainStep({ x, indices }, new Rng(8));
    assert.equal(tf.memory().numTensors, n0, 'a training step leaked tensors');
    x.dispose();
    m.dispose();
  });
}

test("npid: prepare fills the bank with the initial network's features (bankInit features, the default); random keeps the rows; leak-free", async () => {
  const data = new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [12], values: randn(SIZE * 12, 8) });
  const m = make('nce');
  assert.equal(m.bankInit, 'features');
  const before = tf.memory().numTensors;
  await m.prepare(data, { batchSize: 24 });
  assert.equal(tf.memory().numTensors, before, 'prepare leaked tensors');
  const all = await data.getBatch(Int32Array.from({ length: SIZE }, (_, i) => i));
  const x = tf.tensor(all.x, all.shape);
  const v = m.features(x); // no BatchNorm here: inference features = the training-mode ones prepare stores
  assertClose(m.bank.data, v.dataSync() as Float32Array, 1e-5, 1e-6);
  tf.dispose([x, v]);
  await assert.rejects(
    m.prepare(new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [12], values: randn(5 * 12, 8) }), { batchSize: 4 }),
    (e) => e instanceof ShapeError && /fillBank: `data` must hold one sample per bank row \(64\), got 5/.test(e.message),
  );
  m.dispose();
  const r = make('nce', 1, { bankInit: 'random' });
  const rows = r.bank.data.slice();
  await r.prepare(data, { batchSize: 24 });
  assert.deepEqual(r.bank.data, rows, 'random: the bank keeps its initial rows');
  r.dispose();
  assert.throws(
    () => make('nce', 1, { bankInit: 'zeros' as never }),
    (e) => e instanceof ConfigError && /npid: `bankInit` must be one of 'features', 'random', got 'zeros'/.test(e.message),
  );
});

test('npid: Z is estimated once and then fixed; a given normalizer is used as is', async () => {
  const m = make('nce', 3);
  const { x, indices } = batch();
  const z1 = (await m.trainStep({ x, indices }, new Rng(1))).normalizer;
  const z2 = (await m.trainStep({ x, indices }, new Rng(2))).normalizer;
  assert.ok(z1! > 0);
  assert.equal(z2, z1);
  m.dispose();
  const fixed = npid({
    encoder: mlp({ inputDim: 12, hiddenUnits: [16], batchNorm: false }),
    head: head(1),
    bank: new MemoryBank({ size: SIZE, dim: DIM }),
    negatives: K,
    normalizer: 123,
  });
  assert.equal((await fixed.trainStep({ x, indices }, new Rng(1))).normalizer, 123);
  fixed.dispose();
  x.dispose();
});

test('npid: embed -> [N, H] (encoder output), features -> [N, dim] unit rows; leak-free', () => {
  const m = make('nce');
  const x = tf.tensor2d(randn(5 * 12, 4), [5, 12]);
  const n0 = tf.memory().numTensors;
  const h = m.embed(x);
  const v = m.features(x);
  assert.equal(tf.memory().numTensors, n0 + 2, 'embed and features each return one tensor and keep nothing else');
  assert.deepEqual(h.shape, [5, 16]);
  assert.deepEqual(v.shape, [5, DIM]);
  const norms = tf.norm(v, 'euclidean', 1);
  assertClose(norms.dataSync(), [1, 1, 1, 1, 1], 1e-5, 1e-6);
  tf.dispose([h, v, norms]);
  x.dispose();
  m.dispose();
});

test('npid: getState/setState restores the models, the bank and Z exactly', async () => {
  const { x, indices } = batch();
  const a = make('nce', 4);
  await a.trainStep({ x, indices }, new Rng(1));
  const state = a.getState();
  const b = make('nce', 9);
  b.setState(state);
  tf.dispose(Object.values(state.tensors));
  assert.deepEqual(b.bank.data, a.bank.data);
  assert.equal(b.normalizer, a.normalizer);
  const la = (await a.trainStep({ x, indices }, new Rng(2))).loss;
  const lb = (await b.trainStep({ x, indices }, new Rng(2))).loss;
  assert.equal(la, lb);
  assert.deepEqual(b.bank.data, a.bank.data);
  x.dispose();
  a.dispose();
  b.dispose();
});

test('npid: bankKnnAccuracy reads the bank as the labelled memory', async () => {
  // two classes: bank rows near +e0 (even rows) and near -e0 (odd rows)
  const bank = new MemoryBank({ size: 40, dim: 4, seed: 5 });
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  for (let i = 0; i < 40; i++) {
    const row = new Float32Array([i % 2 === 0 ? 3 : -3, 0.1 * (i % 5), 0, 0]);
    bank.update([i], row);
    bank.update([i], row);
    bank.update([i], row);
  }
  const test = tf.tensor2d([
    [1, 0, 0, 0],
    [-1, 0.2, 0, 0],
    [0.9, -0.1, 0, 0],
  ]);
  const acc = await bankKnnAccuracy(bank, labels, test, new Int32Array([0, 1, 0]), { k: 5 });
  assert.equal(acc, 1);
  test.dispose();
});

test('npid: typed errors on bad options and batches', () => {
  const enc = () => mlp({ inputDim: 12, hiddenUnits: [16], batchNorm: false });
  assert.throws(
    () => npid({ encoder: enc(), head: head(1), bank: new MemoryBank({ size: 10, dim: DIM }) }),
    (e) => e instanceof ConfigError && /npid: `negatives` must be <= the bank size 10, got 4096/.test(e.message),
  );
  assert.throws(
    () => npid({ encoder: enc(), head: head(1, 5), bank: new MemoryBank({ size: 10, dim: DIM }), negatives: 4 }),
    (e) => e instanceof ShapeError && /npid: `head` must output \[N, 8\].*got \[N,5\]/.test(e.message),
  );
  assert.throws(
    () => npid({ encoder: enc(), bank: new MemoryBank({ size: 10, dim: DIM }), negatives: 4 }),
    (e) => e instanceof ShapeError && /`encoder` must output \[N, 8\]/.test(e.message),
  );
  assert.throws(
    () => npid({ encoder: enc(), head: head(1), bank: new MemoryBank({ size: 10, dim: DIM }), objective: 'full' as NpidObjective }),
    (e) => e instanceof ConfigError && /`objective` must be one of 'nce', 'softmax'/.test(e.message),
  );
  const m = make('nce');
  const x = tf.zeros([4, 12]);
  assert.throws(
    () => m.trainStep({ x, indices: new Int32Array(3) }, new Rng(1)),
    (e) => e instanceof ShapeError && /`batch.indices` must be an Int32Array with one dataset index per sample \(4\)/.test(e.message),
  );
  assert.throws(
    () => m.trainStep({ x, indices: new Int32Array([0, 1, 2, SIZE]) }, new Rng(1)),
    (e) => e instanceof ConfigError && /`indices`.*got 64/.test(e.message),
  );
  x.dispose();
  m.dispose();
});
