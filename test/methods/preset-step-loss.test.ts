/**
 * Each preset's reported step loss, recomputed independently: the views are remade from a copy of
 * the step's generator, pushed through the models as they were before the step, and the loss is
 * written out in plain JavaScript from the paper's formula (no library loss function).
 */
import { test, before } from 'node:test';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { simclr } from '../../src/methods/simclr.js';
import { moco } from '../../src/methods/moco.js';
import { cpc, type CpcMethod, type CpcNegatives } from '../../src/methods/cpc.js';
import type { Contrastive } from '../../src/methods/contrastive.js';
import { mlp } from '../../src/models/mlp.js';
import { conv1dEncoder } from '../../src/models/conv1d-encoder.js';
import { gruContext } from '../../src/models/gru-context.js';
import { latentLength } from '../../src/models/conv1d-encoder.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const noise = (x: tf.Tensor, rng: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()), 0.1)));
const dense = (inputDim: number, units: number, seed: number): tf.LayersModel =>
  tf.sequential({
    layers: [tf.layers.dense({ inputShape: [inputDim], units, kernelInitializer: tf.initializers.glorotUniform({ seed }) })],
  });

type Rows = number[][];
const rows = (t: tf.Tensor): Rows => t.arraySync() as Rows;
const unit = (v: number[]): number[] => {
  const n = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  return v.map((a) => a / n);
};
const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
/** -log( exp(pos) / Σ exp(all) ) for logits `all` that include `pos`. */
const xent = (pos: number, all: number[]): number => {
  const m = Math.max(...all);
  return -(pos - m - Math.log(all.reduce((s, l) => s + Math.exp(l - m), 0)));
};
const project = (encoder: tf.LayersModel, head: tf.LayersModel, x: tf.Tensor, training: boolean): Rows =>
  tf.tidy(() => rows(head.apply(encoder.apply(x, { training }), { training }) as tf.Tensor));

test('simclr: the step loss is NT-Xent (SimCLR Eq. 1) of its two views under the pre-step weights', async () => {
  const encoder = mlp({ inputDim: 12, hiddenUnits: [16], seed: 1 });
  const head = dense(16, 8, 2);
  const m = simclr({ encoder, head, augmentation: noise, optimizer: new Optimizer({ learningRate: 1e-2 }) });
  const x = tf.tensor2d(randn(6 * 12, 3), [6, 12]);
  const rng = new Rng(9);
  const copy = Rng.fromState(rng.state());
  const [v1, v2] = [noise(x, copy), noise(x, copy)];
  const both = tf.concat([v1, v2]);
  const z = project(encoder, head, both, true).map(unit); // [2N, P] before the step
  const n = 6;
  const tau = 0.5;
  let sum = 0;
  for (let i = 0; i < 2 * n; i++) {
    const logits = z.map((zk, k) => (k === i ? -Infinity : dot(z[i]!, zk) / tau)).filter((l) => l !== -Infinity);
    sum += xent(dot(z[i]!, z[(i + n) % (2 * n)]!) / tau, logits);
  }
  const got = (await m.trainStep({ x, indices: new Int32Array(n) }, rng)).loss;
  assertClose(got, sum / (2 * n), 1e-4, 1e-5, 'simclr step loss');
  tf.dispose([x, v1, v2, both]);
  m.dispose();
});

for (const keyBatchNorm of ['shuffle', 'moving'] as const) {
  test(`moco (key BatchNorm ${keyBatchNorm}): the step loss is InfoNCE of the query against its momentum key and the queue (MoCo Eq. 1); then the keys are enqueued and the key encoder moves by EMA`, async () => {
    const n = 5;
    const K = 7;
    const tau = 0.2;
    const mom = 0.9;
    const m = moco({
      encoder: mlp({ inputDim: 12, hiddenUnits: [16], seed: 1 }),
      head: dense(16, 8, 2),
      keyEncoder: mlp({ inputDim: 12, hiddenUnits: [16], seed: 5 }),
      keyHead: dense(16, 8, 6),
      augmentation: noise,
      queueSize: K,
      momentum: mom,
      temperature: tau,
      keyBatchNorm,
      optimizer: new Optimizer({ learningRate: 1e-2 }),
    }) as Contrastive;
    const x = tf.tensor2d(randn(n * 12, 4), [n, 12]);
    const rng = new Rng(3);
    for (let step = 0; step < 2; step++) {
      const copy = Rng.fromState(rng.state());
      const [v1, v2] = [noise(x, copy), noise(x, copy)];
      const q = project(m.encoder, m.head, v1, true).map(unit);
      // 5 keys make one shuffled group (shuffled-key-groups.test.ts checks several): BatchNorm over the
      // whole key batch in training mode, whatever its order; 'moving': inference mode
      const k = project(m.keys!.keyEncoder, m.keys!.keyHead, v2, keyBatchNorm === 'shuffle').map(unit);
      const queue = Array.from({ length: K }, (_, r) => Array.from(m.keys!.queue.data.subarray(r * 8, (r + 1) * 8)));
      const pointer = m.keys!.queue.pointer;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const pos = dot(q[i]!, k[i]!) / tau;
        sum += xent(pos, [pos, ...queue.map((r) => dot(q[i]!, unit(r)) / tau)]);
      }
      const keyBefore = m.keys!.keyEncoder.weights[0]!.read().dataSync().slice();
      const got = (await m.trainStep({ x, indices: new Int32Array(n) }, rng)).loss;
      assertClose(got, sum / n, 1e-4, 1e-5, `moco step ${step + 1} loss`);
      // the batch's keys now sit at the old pointer (wrapping), L2-normalised
      for (let i = 0; i < n; i++) {
        const r = (pointer + i) % K;
        assertClose(m.keys!.queue.data.subarray(r * 8, (r + 1) * 8), k[i]!, 1e-4, 1e-5, `queue row ${r}`);
      }
      const query = m.encoder.weights[0]!.read().dataSync();
      const expected = keyBefore.map((w, j) => mom * w + (1 - mom) * query[j]!);
      assertClose(m.keys!.keyEncoder.weights[0]!.read().dataSync(), expected, 1e-5, 1e-6, 'key encoder EMA');
      tf.dispose([v1, v2]);
    }
    x.dispose();
    m.dispose();
  });
}

const GEOMETRY = { strides: [2, 2], kernelSizes: [4, 4] };

for (const negatives of ['batch', 'time', 'both'] as CpcNegatives[]) {
  test(`cpc (${negatives} negatives): the step loss is the mean over k of InfoNCE with the bilinear score z_{t+k}^T W_k c_t (CPC Eq. 4)`, async () => {
    const K = 2;
    const S = 3;
    const m = cpc({
      encoder: conv1dEncoder({ ...GEOMETRY, filters: 4, seed: 1 }),
      context: gruContext({ inputDim: 4, units: 6, seed: 2 }),
      geometry: GEOMETRY,
      predictionSteps: K,
      negatives,
      timeSteps: S,
      seed: 3,
      optimizer: new Optimizer({ learningRate: 1e-2 }),
    }) as CpcMethod;
    const n = 3;
    const T = 40;
    const x = tf.tensor3d(randn(n * T, 5), [n, T, 1]);
    const rng = new Rng(11);
    // the positions the step draws: S of [0, T' - K) without replacement, sorted
    const copy = Rng.fromState(rng.state());
    const tLat = latentLength(GEOMETRY, T);
    const span = tLat - K;
    const pool = Array.from({ length: span }, (_, i) => i);
    for (let i = 0; i < S; i++) {
      const j = i + copy.int(span - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const ts = pool.slice(0, S).sort((a, b) => a - b);
    const z = tf.tidy(() => m.latentEncoder.apply(x, { training: true }) as tf.Tensor3D);
    const c = tf.tidy(() => m.context.apply(z, { training: true }) as tf.Tensor3D);
    const zs = z.arraySync();
    const cs = c.arraySync();
    const d = zs[0]![0]!.length;
    let total = 0;
    for (let k = 1; k <= K; k++) {
      let sum = 0;
      let count = 0;
      for (const t of ts) {
        for (let b = 0; b < n; b++) {
          const pred = tf.tidy(() =>
            (m.predictor.apply(tf.tensor2d([cs[b]![t]!])) as tf.Tensor2D).arraySync()[0]!.slice((k - 1) * d, k * d),
          );
          const pos = dot(zs[b]![t + k]!, pred);
          const negs: number[] = [];
          if (negatives !== 'time') for (let o = 0; o < n; o++) if (o !== b) negs.push(dot(zs[o]![t + k]!, pred));
          if (negatives !== 'batch') for (let u = 0; u < tLat; u++) if (u !== t + k) negs.push(dot(zs[b]![u]!, pred));
          sum += xent(pos, [pos, ...negs]);
          count += 1;
        }
      }
      total += sum / count;
    }
    const got = (await m.trainStep({ x, indices: new Int32Array(n) }, rng)).loss;
    assertClose(got, total / K, 1e-4, 1e-5, `cpc ${negatives} step loss`);
    tf.dispose([x, z, c]);
    m.dispose();
  });
}
