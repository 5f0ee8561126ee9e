import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { cpc, type CpcNegatives } from '../../src/methods/cpc.js';
import { conv1dEncoder } from '../../src/models/conv1d-encoder.js';
import { gruContext } from '../../src/models/gru-context.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { useBackend, rng, assertClose } from '../support/tensors.js';

before(() => useBackend());

const GEOMETRY = { strides: [2, 2], kernelSizes: [4, 4] };

function make(
  o: { seed?: number; negatives?: CpcNegatives; pooling?: 'last' | 'mean' | 'max'; window?: number; k?: number; lr?: number } = {},
) {
  const seed = o.seed ?? 1;
  return cpc({
    encoder: conv1dEncoder({ ...GEOMETRY, filters: 8, seed }),
    context: gruContext({ inputDim: 8, units: 12, seed: seed + 10 }),
    geometry: GEOMETRY,
    predictionSteps: o.k ?? 3,
    negatives: o.negatives ?? 'batch',
    timeSteps: 4,
    pooling: o.pooling ?? 'mean',
    seed: seed + 20,
    ...(o.window !== undefined ? { window: o.window } : {}),
    optimizer: new Optimizer({ learningRate: o.lr ?? 1e-2 }),
  });
}

/**
 * Synthetic classes: a sum of two sinusoids whose frequencies depend on the class, random phase
 * and amplitude, a little noise. [n, t, 1], classes cycle 0..classes-1.
 */
function sinusoids(n: number, t: number, seed: number, classes = 4): { x: tf.Tensor3D; labels: Int32Array } {
  const r = rng(seed);
  const v = new Float32Array(n * t);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const f1 = 0.03 + 0.05 * c;
    const f2 = 0.21 - 0.03 * c;
    const p1 = 2 * Math.PI * r();
    const p2 = 2 * Math.PI * r();
    const a = 0.7 + 0.6 * r();
    for (let s = 0; s < t; s++)
      v[i * t + s] = a * (Math.sin(2 * Math.PI * f1 * s + p1) + 0.5 * Math.sin(2 * Math.PI * f2 * s + p2)) + 0.05 * (r() - 0.5);
  }
  return { x: tf.tensor3d(v, [n, t, 1]), labels };
}

test('cpc: repeated steps lower the loss on a tiny batch; a step leaks nothing; accuracy per k is reported', async () => {
  const m = make();
  const { x } = sinusoids(8, 64, 1);
  const batch = { x, indices: Int32Array.from({ length: 8 }, (_, i) => i) };
  const first = await m.trainStep(batch, new Rng(3));
  let last = first;
  for (let i = 0; i < 12; i++) last = await m.trainStep(batch, new Rng(3)); // same windows and positions each step
  assert.ok(last.loss < first.loss - 0.1, `loss ${first.loss} -> ${last.loss}`);
  assert.ok(Number.isFinite(first.gradNorm!) && first.gradNorm! > 0);
  for (const k of [1, 2, 3]) assert.ok(last[`acc${k}`]! >= 0 && last[`acc${k}`]! <= 1, `acc${k}`);
  assert.equal(last.accuracy, (last.acc1! + last.acc2! + last.acc3!) / 3);
  const before = tf.memory().numTensors;
  await m.trainStep(batch, new Rng(4));
  assert.equal(tf.memory().numTensors, before, 'a training step leaked tensors');
  x.dispose();
  m.dispose();
});

test('cpc: the loss at initialisation is about log(1 + negatives) and every negatives mode trains', async () => {
  const { x } = sinusoids(6, 48, 2);
  for (const negatives of ['batch', 'time', 'both'] as const) {
    const m = make({ negatives, lr: 0 });
    const r = await m.trainStep({ x, indices: new Int32Array(6) }, new Rng(1));
    assert.ok(Number.isFinite(r.loss) && r.loss > 0, `${negatives}: loss ${r.loss}`);
    m.dispose();
  }
  // batch negatives: 5 per query; scores near 0 at a small init give a loss near log(6)
  const m = make({ negatives: 'batch', lr: 0 });
  const small = tf.mul(x, 1e-3);
  const r = await m.trainStep({ x: small, indices: new Int32Array(6) }, new Rng(1));
  assertClose(r.loss, Math.log(6), 0.05, 0, 'initial loss');
  tf.dispose([x, small]);
  m.dispose();
});

test('cpc: embed returns [N, U] for every pooling (last = the GRU state at the last step), leak-free', () => {
  const { x } = sinusoids(5, 40, 3);
  for (const pooling of ['last', 'mean', 'max'] as const) {
    const m = make({ pooling });
    const before = tf.memory().numTensors;
    const h = m.embed(x);
    assert.equal(tf.memory().numTensors, before + 1);
    assert.deepEqual(h.shape, [5, 12]);
    const c = tf.tidy(() => m.context.predict(m.latentEncoder.predict(x) as tf.Tensor) as tf.Tensor3D); // [5, T', 12]
    const expect = tf.tidy(() =>
      pooling === 'mean'
        ? tf.mean(c, 1)
        : pooling === 'max'
          ? tf.max(c, 1)
          : tf.squeeze(tf.slice(c, [0, c.shape[1] - 1, 0], [-1, 1, -1]), [1]),
    );
    assertClose(h.dataSync(), expect.dataSync(), 1e-5, 1e-6, `${pooling} pooling`);
    tf.dispose([h, c, expect]);
    m.dispose();
  }
  x.dispose();
});

test('cpc: CPC accuracy rises with training on the synthetic task and training windows are random crops', async () => {
  const m = make({ window: 56, k: 2, lr: 1e-2 });
  const { x } = sinusoids(16, 64, 5);
  const idx = Int32Array.from({ length: 16 }, (_, i) => i);
  const r = new Rng(11);
  const accs: number[] = [];
  for (let i = 0; i < 30; i++) accs.push((await m.trainStep({ x, indices: idx }, r)).accuracy!);
  const early = (accs[0]! + accs[1]! + accs[2]!) / 3;
  const late = (accs[27]! + accs[28]! + accs[29]!) / 3;
  assert.ok(late > early + 0.15 && late > 1 / 16 + 0.2, `accuracy ${early.toFixed(2)} -> ${late.toFixed(2)} (chance 1/16)`);
  x.dispose();
  m.dispose();
});

test('cpc: getState/setState continues bit-exactly', async () => {
  const { x } = sinusoids(6, 48, 6);
  const a = make({ seed: 3 });
  await a.trainStep({ x, indices: new Int32Array(6) }, new Rng(1));
  const state = a.getState();
  const b = make({ seed: 9 });
  b.setState(state);
  tf.dispose(Object.values(state.tensors));
  const la = (await a.trainStep({ x, indices: new Int32Array(6) }, new Rng(2))).loss;
  const lb = (await b.trainStep({ x, indices: new Int32Array(6) }, new Rng(2))).loss;
  assert.equal(la, lb);
  const ha = a.embed(x);
  const hb = b.embed(x);
  assertClose(hb.dataSync(), ha.dataSync(), 0, 0, 'embedding after restore');
  tf.dispose([ha, hb, x]);
  a.dispose();
  b.dispose();
});

test('cpc: bad input is a typed error naming the sample and the length needed', async () => {
  const m = make({ k: 3 }); // receptive field 10, stride 4: K + 1 = 4 latents need 10 + 3 * 4 = 22 steps
  assert.equal(m.minLength, 22);
  const short = tf.zeros([4, 21, 1]);
  assert.throws(
    () => m.trainStep({ x: short, indices: Int32Array.from([7, 8, 9, 10]) }, new Rng(1)),
    (e: Error) => e instanceof ShapeError && /cpc\.trainStep: `batch\.x` sample 7 .*at least 22 time steps.*got 21/.test(e.message),
  );
  const v = new Float32Array(4 * 30);
  v[2 * 30 + 17] = NaN;
  const bad = tf.tensor3d(v, [4, 30, 1]);
  await assert.rejects(
    () => m.trainStep({ x: bad, indices: Int32Array.from([5, 6, 42, 8]) }, new Rng(1)),
    (e: Error) => e instanceof DataError && /sample 42 has a non-finite value \(NaN\) at time step 17/.test(e.message),
  );
  assert.throws(
    () => m.embed(tf.zeros([2, 9, 1])),
    (e: Error) => e instanceof ShapeError && /at least 10 time steps/.test(e.message),
  );
  assert.throws(
    () => make({ window: 20, k: 3 }),
    (e: Error) => e instanceof ConfigError && /`window` must be at least 22/.test(e.message),
  );
  assert.throws(() => make({ negatives: 'all' as CpcNegatives }), ConfigError);
  tf.dispose([short, bad]);
  m.dispose();
});

test('cpc: the step loss equals InfoNCE recomputed by hand from z, c and W_k, for batch, time and both negatives', async () => {
  const { x } = sinusoids(6, 48, 41);
  for (const negatives of ['batch', 'time', 'both'] as const) {
    const m = make({ seed: 4, negatives, k: 3 });
    // what trainStep does before its update: the positions t drawn from the generator (no window)
    const z = tf.tidy(() => m.latentEncoder.apply(x, { training: true }) as tf.Tensor3D); // [B, T', D]
    const c = tf.tidy(() => m.context.apply(z, { training: true }) as tf.Tensor3D); // [B, T', U]
    const [b, tLat, d] = z.shape;
    const k = m.predictionSteps;
    const r = new Rng(9);
    const span = tLat - k;
    const pool = Array.from({ length: span }, (_, i) => i);
    for (let i = 0; i < Math.min(4, span); i++) {
      const j = i + r.int(span - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const ts = pool.slice(0, Math.min(4, span)).sort((p, q) => p - q);
    const zv = z.arraySync();
    const cv = c.arraySync();
    const pred = tf.tidy(() => (m.predictor.apply(tf.tensor2d(ts.flatMap((t) => cv.map((row) => row[t]!)))) as tf.Tensor2D).arraySync()); // [S*B, K*D]
    const dot = (p: number[], q: number[]) => p.reduce((a, v, i) => a + v * q[i]!, 0);
    let total = 0;
    for (let kk = 1; kk <= k; kk++) {
      let sum = 0;
      ts.forEach((t, i) => {
        for (let seq = 0; seq < b; seq++) {
          const q = pred[i * b + seq]!.slice((kk - 1) * d, kk * d);
          const pos = dot(q, zv[seq]![t + kk]!);
          const negs: number[] = [];
          if (negatives !== 'time') for (let o = 0; o < b; o++) if (o !== seq) negs.push(dot(q, zv[o]![t + kk]!));
          if (negatives !== 'batch') for (let u = 0; u < tLat; u++) if (u !== t + kk) negs.push(dot(q, zv[seq]![u]!));
          const all = [pos, ...negs];
          const top = Math.max(...all);
          sum += -(pos - top - Math.log(all.reduce((a, v) => a + Math.exp(v - top), 0)));
        }
      });
      total += sum / (ts.length * b);
    }
    tf.dispose([z, c]);
    const { loss } = await m.trainStep({ x, indices: Int32Array.from({ length: b }, (_, i) => i) }, new Rng(9));
    assert.ok(Math.abs(loss - total / k) < 1e-4 * Math.max(1, total / k), `${negatives}: step loss ${loss}, by hand ${total / k}`);
    m.dispose();
  }
  x.dispose();
});
