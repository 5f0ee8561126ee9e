/**
 * A non-finite loss or gradient: `onNonFinite: 'stop'` (the default) stops with a message naming
 * the step and keeps the last good checkpoint; `'skip'` leaves the state as it was before the bad
 * step, halves the learning rate and trains on.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import type { Rng } from '../../src/random.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { simclr } from '../../src/methods/simclr.js';
import { mlp } from '../../src/models/mlp.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { train, type Checkpoint, type SkippedStep, type StepRecord, type TrainerStore } from '../../src/train/trainer.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/node/run/checkpoint-file.js';
import type { Method, StepMetrics, TrainBatch } from '../../src/methods/method.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

const noise = (x: tf.Tensor, rng: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()), 0.3)));
const data = (): ArrayDataset => new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [10], values: randn(96 * 10, 1) }); // 3 steps of 32 per epoch

/** SimCLR on an MLP with BatchNorm (its moving statistics are state a NaN batch would poison). */
function method(): Method {
  const head = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [16], units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })],
  });
  return simclr({
    encoder: mlp({ inputDim: 10, hiddenUnits: [32, 16], seed: 1 }),
    head,
    augmentation: noise,
    optimizer: new Optimizer({ learningRate: 1e-2 }),
  });
}

/** `m` whose `trainStep` call number `bad` gets `inject(batch)` instead (e.g. NaN inputs). */
function withBadStep(m: Method, bad: number, inject: (b: TrainBatch, rng: Rng) => Promise<StepMetrics>): Method & { calls: number } {
  const w = Object.assign(Object.create(Object.getPrototypeOf(m)), m, { calls: 0 }) as Method & { calls: number };
  w.trainStep = (b: TrainBatch, rng: Rng) => (++w.calls === bad ? inject(b, rng) : m.trainStep(b, rng));
  return w;
}

class MemoryStore implements TrainerStore {
  metrics: StepRecord[] = [];
  checkpoint: Uint8Array | undefined;
  async appendMetrics(r: StepRecord[]): Promise<void> {
    this.metrics.push(...r);
  }
  async saveCheckpoint(c: Checkpoint): Promise<void> {
    this.checkpoint = await encodeCheckpoint(c);
  }
}

/** Every tensor of the method's state (weights, BatchNorm statistics, optimizer slots), flattened. */
function stateValues(m: Method): Record<string, number[]> {
  const s = m.getState();
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(s.tensors)) out[k] = Array.from(t.dataSync());
  tf.dispose(Object.values(s.tensors));
  return out;
}

test("onNonFinite 'stop' (default): a NaN loss at step 5 stops naming the step, suggests a lower lr, keeps the step-3 checkpoint", async () => {
  const m = method();
  const store = new MemoryStore();
  const w = withBadStep(m, 5, async () => ({ loss: NaN }));
  await assert.rejects(
    train({ method: w, data: data(), batchSize: 32, epochs: 3, store }),
    (e: Error) =>
      e instanceof ConfigError &&
      /loss became NaN at step 5 \(epoch 2,/.test(e.message) &&
      /last good checkpoint is kept/.test(e.message) &&
      /lower learning rate/.test(e.message),
  );
  const c = decodeCheckpoint(store.checkpoint!);
  assert.equal(c.step, 3, 'the checkpoint of the end of epoch 1 is the last one');
  assert.equal(c.lrScale, undefined);
  tf.dispose(Object.values(c.state.tensors));
  assert.deepEqual(
    store.metrics.map((r) => r.step),
    [1, 2, 3, 4],
    'the good steps before it are logged',
  );
  m.dispose();
});

test("onNonFinite 'stop': a non-finite gradient norm with a finite loss stops too", async () => {
  const m = method();
  const w = withBadStep(m, 2, async () => ({ loss: 1.5, gradNorm: Infinity }));
  await assert.rejects(
    train({ method: w, data: data(), batchSize: 32, epochs: 1 }),
    (e: Error) => e instanceof ConfigError && /gradient norm became Infinity at step 2 /.test(e.message),
  );
  m.dispose();
});

test("onNonFinite 'skip': a NaN batch changes no state, the lr halves from the next step, training goes on and resumes with the halved lr", async () => {
  const before0 = tf.memory().numTensors;
  const m = method();
  const store = new MemoryStore();
  let stateBefore: Record<string, number[]> | undefined;
  let poisoned = false;
  const w = withBadStep(m, 4, async (b, rng) => {
    stateBefore = stateValues(m);
    const nan = tf.fill(b.x.shape, NaN);
    try {
      const r = await m.trainStep({ ...b, x: nan }, rng); // a real NaN forward pass (BatchNorm statistics included)
      poisoned = Object.values(stateValues(m)).some((v) => v.some((x) => !Number.isFinite(x)));
      return r;
    } finally {
      nan.dispose();
    }
  });
  const skipped: SkippedStep[] = [];
  let stateAfterSkip: Record<string, number[]> | undefined;
  const res = await train({
    method: w,
    data: data(),
    batchSize: 32,
    epochs: 3,
    store,
    schedule: () => 0.01,
    onNonFinite: 'skip',
    onSkip: (s) => {
      skipped.push(s);
      stateAfterSkip = stateValues(m);
    },
  });
  assert.equal(res.status, 'done');
  assert.equal(res.steps, 9);
  assert.ok(poisoned, 'the NaN batch did reach the state (the test injects a real divergence)');
  assert.deepEqual(stateAfterSkip, stateBefore, 'weights, BatchNorm statistics and optimizer slots are as before the bad step');
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.step, 4);
  assert.equal(skipped[0]!.epoch, 2);
  assert.ok(Number.isNaN(skipped[0]!.loss));
  assert.equal(skipped[0]!.lrScale, 0.5);
  const byStep = new Map(store.metrics.map((r) => [r.step, r]));
  assert.equal(byStep.get(4)!.skipped, 1, 'the metrics name the skipped step');
  assert.deepEqual(
    [1, 2, 3, 4].map((s) => byStep.get(s)!.lr),
    [0.01, 0.01, 0.01, 0.01],
  );
  assert.deepEqual(
    [5, 6, 7, 8, 9].map((s) => byStep.get(s)!.lr),
    [0.005, 0.005, 0.005, 0.005, 0.005],
    'halved after the bad step',
  );
  assert.ok([5, 6, 7, 8, 9].every((s) => Number.isFinite(byStep.get(s)!.loss) && byStep.get(s)!.skipped === undefined));
  assert.ok(
    Object.values(stateValues(m)).every((v) => v.every(Number.isFinite)),
    'the state stays finite',
  );
  const c = decodeCheckpoint(store.checkpoint!);
  assert.equal(c.lrScale, 0.5, 'the checkpoint keeps the halved learning rate for --resume');
  tf.dispose(Object.values(c.state.tensors));
  m.dispose();
  assert.equal(tf.memory().numTensors, before0, 'skip mode leaked tensors');
});

test("a resumed run continues at the checkpoint's halved learning rate", async () => {
  const m = method();
  const state = m.getState();
  const store = new MemoryStore();
  await train({
    method: m,
    data: data(),
    batchSize: 32,
    epochs: 2,
    store,
    schedule: () => 0.01,
    resume: { epoch: 1, stepInEpoch: 0, step: 3, rng: [1, 2, 3, 4], epochRng: [1, 2, 3, 4], state, lrScale: 0.25 },
  });
  tf.dispose(Object.values(state.tensors));
  assert.deepEqual(
    store.metrics.map((r) => r.lr),
    [0.0025, 0.0025, 0.0025],
  );
  const c = decodeCheckpoint(store.checkpoint!);
  tf.dispose(Object.values(c.state.tensors));
  assert.equal(c.lrScale, 0.25);
  await assert.rejects(
    train({ method: m, data: data(), batchSize: 32, epochs: 1, onNonFinite: 'ignore' as 'skip' }),
    (e: Error) => e instanceof ConfigError && /onNonFinite/.test(e.message),
  );
  m.dispose();
});
