import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { simclr } from '../../src/methods/simclr.js';
import { mlp } from '../../src/models/mlp.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { monitorSplit, train, type Checkpoint, type StepRecord, type TrainerStore } from '../../src/train/trainer.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/node/run/checkpoint-file.js';
import type { Method } from '../../src/methods/method.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

const noise = (x: tf.Tensor, rng: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()), 0.3)));

/** 3 Gaussian clusters in 10-d, 40 samples each, labelled. */
function clusters(n = 120, seed = 1): ArrayDataset {
  const values = randn(n * 10, seed);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    values[i * 10 + (i % 3)]! += 4;
  }
  return new ArrayDataset({
    name: 'clusters',
    kind: 'vector',
    sampleShape: [10],
    values,
    labels: { values: labels, classNames: ['a', 'b', 'c'] },
  });
}

function method(seed = 0): Method {
  const head = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [16], units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed }) })],
  });
  return simclr({
    encoder: mlp({ inputDim: 10, hiddenUnits: [32, 16], seed }),
    head,
    augmentation: noise,
    optimizer: new Optimizer({ learningRate: 3e-3 }),
  });
}

/** A store that keeps metrics and the last checkpoint as bytes, like the run folder does. */
class MemoryStore implements TrainerStore {
  metrics: StepRecord[] = [];
  checkpoint: Uint8Array | undefined;
  saves = 0;
  async appendMetrics(r: StepRecord[]): Promise<void> {
    this.metrics.push(...r);
  }
  async saveCheckpoint(c: Checkpoint): Promise<void> {
    this.checkpoint = await encodeCheckpoint(c);
    this.saves += 1;
  }
}

async function weights(m: Method): Promise<number[]> {
  const out: number[] = [];
  for (const w of m.encoder.weights) out.push(...(await w.read().data()));
  return out;
}

test('train: loss goes down, every step logged, kNN monitor each epoch, checkpoint each epoch, no leak', async () => {
  const data = clusters();
  const monitorData = clusters(100, 2); // 20 queries: the fewest the monitor reports a figure for
  const before = tf.memory().numTensors;
  const m = method();
  const store = new MemoryStore();
  const epochs: number[] = [];
  const res = await train({
    method: m,
    data,
    batchSize: 32,
    epochs: 4,
    seed: 3,
    store,
    monitor: { data: monitorData, k: 5 },
    onEpoch: (e) => epochs.push(e.epoch),
  });
  assert.equal(res.status, 'done');
  assert.equal(res.steps, 4 * 3); // 120 / 32 -> 3 full batches per epoch
  assert.deepEqual(epochs, [1, 2, 3, 4]);
  assert.deepEqual(
    store.metrics.map((r) => r.step),
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  assert.ok(store.metrics.every((r) => Number.isFinite(r.loss) && r.lr > 0 && r.samplesPerSec > 0));
  assert.equal(store.saves, 4);
  const [first, last] = [res.epochRecords[0]!, res.epochRecords.at(-1)!];
  assert.ok(last.loss < first.loss, `epoch loss ${first.loss} -> ${last.loss}`);
  assert.ok(res.epochRecords.every((e) => e.knn !== undefined && e.knn >= 0 && e.knn <= 1));
  m.dispose();
  assert.equal(tf.memory().numTensors, before, 'training leaked tensors');
});

test('train: abort mid-epoch checkpoints; resume ends bit-identical to an uninterrupted run', async () => {
  const data = clusters();
  const full = method(5);
  await train({ method: full, data, batchSize: 32, epochs: 3, seed: 11 });
  const expected = await weights(full);
  full.dispose();

  const ac = new AbortController();
  const store = new MemoryStore();
  const a = method(5);
  const part = await train({
    method: a,
    data,
    batchSize: 32,
    epochs: 3,
    seed: 11,
    store,
    signal: ac.signal,
    onStep: (r) => r.step === 5 && ac.abort(),
  });
  assert.equal(part.status, 'interrupted');
  assert.equal(part.steps, 5);
  a.dispose();
  const ckpt = decodeCheckpoint(store.checkpoint!);
  assert.equal(ckpt.step, 5);
  assert.equal(ckpt.epoch, 1);
  assert.equal(ckpt.stepInEpoch, 2);
  const b = method(99); // different init: everything must come from the checkpoint
  const rest = await train({ method: b, data, batchSize: 32, epochs: 3, seed: 0, resume: ckpt });
  tf.dispose(Object.values(ckpt.state.tensors));
  assert.equal(rest.steps, 9);
  assert.deepEqual(await weights(b), expected);
  b.dispose();
});

test('train: checkpointEvery adds mid-epoch checkpoints; resuming from one matches the uninterrupted run', async () => {
  const data = clusters();
  const full = method(6);
  await train({ method: full, data, batchSize: 32, epochs: 2, seed: 4 });
  const expected = await weights(full);
  full.dispose();
  const all: Uint8Array[] = [];
  const store = new MemoryStore();
  const save = store.saveCheckpoint.bind(store);
  store.saveCheckpoint = async (c) => {
    await save(c);
    all.push(store.checkpoint!);
  };
  const a = method(6);
  await train({ method: a, data, batchSize: 32, epochs: 2, seed: 4, store, checkpointEvery: 2 });
  a.dispose();
  const steps = all.map((bytes) => {
    const c = decodeCheckpoint(bytes);
    tf.dispose(Object.values(c.state.tensors));
    return c.step;
  });
  assert.deepEqual(steps, [2, 3, 4, 6]); // every 2 steps inside an epoch, plus each epoch end
  const ckpt = decodeCheckpoint(all[2]!); // step 4: one step into epoch 2, as if killed after it
  const b = method(42);
  await train({ method: b, data, batchSize: 32, epochs: 2, seed: 0, resume: ckpt });
  tf.dispose(Object.values(ckpt.state.tensors));
  assert.deepEqual(await weights(b), expected);
  b.dispose();
});

test('train: a non-finite loss stops with a message naming the step', async () => {
  const m = method();
  let calls = 0;
  const wrapped: Method = Object.assign(Object.create(Object.getPrototypeOf(m)), m, {
    trainStep: (batch: Parameters<Method['trainStep']>[0], rng: Rng) =>
      ++calls === 3 ? Promise.resolve({ loss: NaN }) : m.trainStep(batch, rng),
  });
  await assert.rejects(
    train({ method: wrapped, data: clusters(), batchSize: 32, epochs: 2 }),
    (err: Error) => err instanceof ConfigError && /NaN at step 3 \(epoch 1/.test(err.message),
  );
  m.dispose();
});

test('train: steps budget, bad options are typed errors', async () => {
  const m = method();
  const res = await train({ method: m, data: clusters(), batchSize: 50, steps: 5 });
  assert.equal(res.steps, 5);
  assert.equal(res.epochs, 3);
  await assert.rejects(train({ method: m, data: clusters(), batchSize: 1 }), /batchSize/);
  await assert.rejects(train({ method: m, data: clusters(), epochs: 0 }), /epochs/);
  await assert.rejects(train({ method: m, data: clusters(), steps: 4, warmupSteps: 9 }), /warmupSteps/);
  await assert.rejects(train({ method: {} as Method, data: clusters() }), ConfigError);
  m.dispose();
});

/** A clock (ms) that only the method's steps move: step i (1-based) takes `ms(i)` of it. */
function paced(m: Method, ms: (i: number) => number): { method: Method; now: () => number } {
  let t = 0;
  let i = 0;
  const step = m.trainStep.bind(m);
  const method = Object.assign(m, {
    trainStep: async (...args: Parameters<Method['trainStep']>) => {
      t += ms(++i);
      return step(...args);
    },
  });
  return { method, now: () => t };
}

test('train: a time budget re-sizes the run from its own pace at the end of the warm-up and when its pace changes; the learning rate never jumps', async () => {
  // 10 ms a step, 20 ms from step 61 on (the machine got busy)
  const { method: m, now } = paced(method(), (i) => (i <= 60 ? 10 : 20));
  const store = new MemoryStore();
  const resizes: { step: number; totalSteps: number; stepSeconds: number }[] = [];
  const res = await train({
    method: m,
    data: clusters(),
    batchSize: 32,
    steps: 20, // sized as if a step took 60 ms: 1.2 s / 20
    warmupSteps: 4,
    learningRate: 1e-3,
    budgetSeconds: 1.2,
    store,
    now,
    onResize: (r) => {
      resizes.push(r);
    },
  });
  // end of the warm-up: 40 ms spent, 1.16 s left at 10 ms a step -> 116 more; at a quarter (step
  // 30) and a half (step 60) of the budget the pace is unchanged; at three quarters (900 ms, step
  // 75) the last 15 steps took 20 ms each: 300 ms left -> 15 more
  assert.deepEqual(
    resizes.map((r) => [r.step, r.totalSteps, Math.round(r.stepSeconds * 1e6) / 1e6]),
    [
      [4, 120, 0.01],
      [75, 90, 0.02],
    ],
  );
  assert.equal(res.steps, 90);
  assert.equal(store.metrics.length, 90);
  assert.ok(Math.abs(res.seconds - 1.2) < 1e-9, `the run spends its budget: ${res.seconds} s`);
  // warm-up to the peak, then the cosine; at the re-size it goes on from the progress reached
  const lrs = store.metrics.map((r) => r.lr);
  assert.deepEqual(lrs.slice(0, 4), [2.5e-4, 5e-4, 7.5e-4, 1e-3]);
  assert.equal(lrs[4], 1e-3);
  for (let i = 5; i < lrs.length; i++) assert.ok(lrs[i]! <= lrs[i - 1]!, `non-increasing after the warm-up (step ${i + 1})`);
  const cosine = (p: number): number => 1e-3 * 0.5 * (1 + Math.cos(Math.PI * p));
  const p75 = (75 - 4) / (120 - 4);
  assert.ok(Math.abs(lrs[74]! - cosine((74 - 4) / 116)) < 1e-15, 'before the re-size: the first sizing');
  assert.ok(Math.abs(lrs[75]! - cosine(p75)) < 1e-15, 'at the re-size: where the first sizing had got to');
  assert.ok(Math.abs(lrs[89]! - cosine(p75 + ((1 - p75) * 14) / 15)) < 1e-15, 'the last step: the cosine all but done');
  m.dispose();
});

test('train: a budget already spent at the end of the warm-up ends the run one step later; no re-size without 4 warm-up steps or on resume', async () => {
  const data = clusters();
  const { method: slow, now } = paced(method(), () => 30);
  const resizes: number[] = [];
  const store = new MemoryStore();
  const res = await train({
    method: slow,
    data,
    batchSize: 32,
    steps: 40,
    warmupSteps: 4,
    budgetSeconds: 0.05, // 120 ms spent at the end of the warm-up
    store,
    now,
    onResize: (r) => {
      resizes.push(r.totalSteps);
    },
  });
  assert.deepEqual(resizes, [5]);
  assert.equal(res.steps, 5);
  slow.dispose();

  // 10 ms steps against a 1 s budget would give 100 steps, but a 3-step warm-up is too short to
  // time, and the run ends (60 ms) before a quarter of the budget has gone
  const { method: m, now: clock } = paced(method(), () => 10);
  const none: number[] = [];
  const short = await train({
    method: m,
    data,
    batchSize: 32,
    steps: 6,
    warmupSteps: 3,
    budgetSeconds: 1,
    now: clock,
    onResize: (r) => void none.push(r.totalSteps),
  });
  assert.equal(short.steps, 6, 'the sized length stands');
  const ckpt = decodeCheckpoint(store.checkpoint!);
  const resumed = await train({
    method: m,
    data,
    batchSize: 32,
    steps: 8,
    warmupSteps: 4,
    budgetSeconds: 0.01,
    resume: ckpt,
    onResize: (r) => void none.push(r.totalSteps),
  });
  assert.equal(resumed.steps, 8, 'a resumed run keeps the length its first start fixed');
  assert.deepEqual(none, []);
  for (const t of Object.values(ckpt.state.tensors)) t.dispose();
  await assert.rejects(
    train({ method: m, data, steps: 8, budgetSeconds: 0 }),
    (e: Error) => e instanceof ConfigError && /budgetSeconds/.test(e.message) && /got 0/.test(e.message),
  );
  await assert.rejects(
    train({ method: m, data, steps: 8, budgetSeconds: 5, schedule: () => 1e-3 }),
    (e: Error) => e instanceof ConfigError && /budgetSeconds/.test(e.message) && /custom schedule/.test(e.message),
  );
  m.dispose();
});

test("train: calls the method's prepare once, with the data, before the first step of a fresh run; never on resume", async () => {
  const data = clusters();
  const calls: string[] = [];
  const tracked = (m: Method): Method => {
    const step = m.trainStep.bind(m);
    return Object.assign(m, {
      prepare: async (d: unknown, o: { batchSize: number }) => {
        calls.push(`prepare ${d === data} ${o.batchSize}`);
      },
      trainStep: (...args: Parameters<Method['trainStep']>) => {
        calls.push('step');
        return step(...args);
      },
    });
  };
  const a = tracked(method());
  const store = new MemoryStore();
  await train({ method: a, data, batchSize: 32, epochs: 1, seed: 0, store });
  assert.deepEqual(calls, ['prepare true 32', 'step', 'step', 'step']);
  const ckpt = decodeCheckpoint(store.checkpoint!);
  calls.length = 0;
  const b = tracked(method());
  await train({ method: b, data, batchSize: 32, epochs: 2, seed: 0, resume: ckpt });
  assert.deepEqual(calls, ['step', 'step', 'step']);
  for (const t of Object.values(ckpt.state.tensors)) t.dispose();
  a.dispose();
  b.dispose();
});

test('monitorSplit: memory and queries stratified even when the slice is sorted by class; too few queries is a note', () => {
  // 100 rows sorted by class, 5 classes: a split in row order would query the last class alone
  const sorted = Int32Array.from({ length: 100 }, (_, i) => Math.floor(i / 20));
  const split = monitorSplit(sorted, 0.8, 20);
  assert.ok(!('note' in split));
  const qClasses = new Set(Array.from(split.queries, (i) => sorted[i]));
  const bClasses = new Set(Array.from(split.bank, (i) => sorted[i]));
  assert.deepEqual([...qClasses].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual([...bClasses].sort(), [0, 1, 2, 3, 4]);
  assert.equal(split.queries.length, 20);
  assert.equal(split.bank.length + split.queries.length, 100);
  const small = monitorSplit(sorted.slice(0, 10), 0.8, 20);
  assert.ok('note' in small && /monitor slice too small \(10 held out, 2 queries; needs 20\)/.test(small.note), JSON.stringify(small));
});

test('train: a kNN monitor on a class-sorted slice scores the queries of every class; a tiny slice gives a note, not a figure', async () => {
  const base = clusters(120, 4);
  const order = Array.from({ length: 120 }, (_, i) => i).sort((a, b) => base.labels!.values[a]! - base.labels!.values[b]! || a - b);
  const values = new Float32Array(120 * 10);
  order.forEach((src, dst) => values.set(base.values.subarray(src * 10, src * 10 + 10), dst * 10));
  const sorted = new ArrayDataset({
    name: 'sorted',
    kind: 'vector',
    sampleShape: [10],
    values,
    labels: { values: Int32Array.from(order, (i) => base.labels!.values[i]!), classNames: ['a', 'b', 'c'] },
  });
  const m = method(7);
  const res = await train({ method: m, data: clusters(), batchSize: 32, epochs: 2, seed: 3, monitor: { data: sorted, k: 5 } });
  for (const e of res.epochRecords) assert.ok(e.knn !== undefined && e.knn > 0.8, `kNN ${e.knn}: the clusters are separable`);
  const tiny = await train({ method: m, data: clusters(), batchSize: 32, epochs: 1, seed: 3, monitor: { data: clusters(10, 5) } });
  assert.equal(tiny.epochRecords[0]!.knn, undefined);
  assert.match(tiny.epochRecords[0]!.knnNote ?? '', /monitor slice too small/);
  m.dispose();
});
