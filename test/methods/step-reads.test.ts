/**
 * The `Method.trainStep` contract (src/methods/method.ts): a training step reads nothing back
 * synchronously. `dataSync` and `arraySync` stall WebGL and WebGPU (the page waits for the GPU
 * to finish everything queued); a step reads its metrics with `await data()` instead. Each method
 * of the core runs steps with the tf.Tensor prototype's synchronous readers spied on: 0 calls,
 * the metrics still arrive, and the step leaks nothing.
 *
 * CMC runs on the gradient and half-luminance views and on the Lab views: these convert colour
 * with a JS loop on CPU backends (cpu, wasm, native; this test's cpu), whose pixels the step reads
 * with `await data()` first, and with tensor ops on WebGL and WebGPU. The triplet target mines its
 * semi-hard negatives with tensor ops (no read-back).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import type { Method, TrainBatch } from '../../src/methods/method.js';
import { contrastive } from '../../src/methods/contrastive.js';
import { moco } from '../../src/methods/moco.js';
import { cmc } from '../../src/methods/cmc.js';
import { views } from '../../src/augment/views.js';
import { makeTarget } from '../../src/losses/targets.js';
import { mlp } from '../../src/models/mlp.js';
import { convNet } from '../../src/models/conv-net.js';
import { projectionHead } from '../../src/models/projection-head.js';
import { gradient } from '../../src/cmc-views/gradient.js';
import { halfLuminance } from '../../src/cmc-views/half-luminance.js';
import { labL } from '../../src/cmc-views/lab-l.js';
import { labAb } from '../../src/cmc-views/lab-ab.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { randn, rng, useBackend } from '../support/tensors.js';
import { tinyMethod } from '../reliability/tiny-methods.js';

before(() => useBackend());

const B = 16;
const D = 12;
const BANK = 64;
const noise = (x: tf.Tensor, r: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', r.seed()), 0.1)));
const indices = (k: number): Int32Array => Int32Array.from({ length: B }, (_, i) => (k * B + i) % BANK);
const vectors = (k: number): TrainBatch => ({ x: tf.tensor2d(randn(B * D, k + 1), [B, D]), indices: indices(k) });

/** The methods of the core, each with a batch maker. */
function build(name: string): { method: Method; batch: (k: number) => TrainBatch } {
  switch (name) {
    case 'moco':
      return {
        method: moco({
          encoder: mlp({ inputDim: D, hiddenUnits: [32, 16], seed: 1 }),
          head: projectionHead({ inputDim: 16, hiddenDim: 16, outputDim: 8, seed: 2 }),
          keyEncoder: mlp({ inputDim: D, hiddenUnits: [32, 16], seed: 3 }),
          keyHead: projectionHead({ inputDim: 16, hiddenDim: 16, outputDim: 8, seed: 4 }),
          augmentation: noise,
          queueSize: 32,
          optimizer: new Optimizer(),
        }),
        batch: vectors,
      };
    case 'contrastive (dcl)':
      return {
        method: contrastive({
          name: 'dcl',
          config: {},
          encoder: mlp({ inputDim: D, hiddenUnits: [32, 16], seed: 1 }),
          head: projectionHead({ inputDim: 16, hiddenDim: 16, outputDim: 8, seed: 2 }),
          views: views(noise, 2),
          target: makeTarget('dcl', 'batch', {}),
          optimizer: new Optimizer({ name: 'lars', clipNorm: 1 }),
        }),
        batch: vectors,
      };
    case 'contrastive (triplet, semi-hard)':
      return {
        method: contrastive({
          name: 'triplet',
          config: {},
          encoder: mlp({ inputDim: D, hiddenUnits: [32, 16], seed: 1 }),
          head: projectionHead({ inputDim: 16, hiddenDim: 16, outputDim: 8, seed: 2 }),
          views: views(noise, 2),
          target: makeTarget('triplet', 'batch', { mining: 'semi-hard' }),
          optimizer: new Optimizer(),
        }),
        batch: vectors,
      };
    case 'cmc-softmax (gradient, half-luminance)':
    case 'cmc-nce (gradient, half-luminance)':
    case 'cmc-softmax (lab-l, lab-ab)':
    case 'cmc-nce (lab-l, lab-ab)': {
      const S = 8;
      const lab = name.includes('lab-l');
      return {
        method: cmc({
          views: lab ? [labL(), labAb()] : [gradient(), halfLuminance()],
          inputShape: [S, S, 3],
          encoders: [
            convNet({ inputShape: [S, S, 1], widths: [4, 8], seed: 1, name: 'enc_g' }),
            lab
              ? convNet({ inputShape: [S, S, 2], widths: [4, 8], seed: 2, name: 'enc_h' })
              : convNet({ inputShape: [S / 2, S / 2, 1], widths: [4, 8], seed: 2, name: 'enc_h' }),
          ],
          heads: [
            projectionHead({ inputDim: 8, hiddenDim: 8, outputDim: 6, seed: 3, name: 'head_g' }),
            projectionHead({ inputDim: 8, hiddenDim: 8, outputDim: 6, seed: 4, name: 'head_h' }),
          ],
          objective: name.startsWith('cmc-nce') ? 'nce' : 'softmax',
          negatives: 32,
          bankSize: BANK,
          optimizer: new Optimizer(),
        }),
        batch: (k) => {
          const r = rng(k + 1);
          return {
            x: tf.tensor4d(
              Float32Array.from({ length: B * S * S * 3 }, () => r()),
              [B, S, S, 3],
            ),
            indices: indices(k),
          };
        },
      };
    }
    default:
      return tinyMethod(name as Parameters<typeof tinyMethod>[0]);
  }
}

const reads = { dataSync: 0, arraySync: 0 };
const proto = tf.Tensor.prototype as unknown as Record<'dataSync' | 'arraySync', (...a: unknown[]) => unknown>;
const originals = { dataSync: proto.dataSync, arraySync: proto.arraySync };
let counting = false;
before(() => {
  for (const k of ['dataSync', 'arraySync'] as const) {
    proto[k] = function (this: tf.Tensor, ...a: unknown[]) {
      if (counting) reads[k] += 1;
      return originals[k].apply(this, a);
    };
  }
});
after(() => Object.assign(proto, originals));

const NAMES = [
  'simclr',
  'invaspread',
  'moco',
  'npid-nce',
  'npid-softmax',
  'cmc-softmax (gradient, half-luminance)',
  'cmc-nce (gradient, half-luminance)',
  'cmc-softmax (lab-l, lab-ab)',
  'cmc-nce (lab-l, lab-ab)',
  'cpc',
  'contrastive (dcl)',
  'contrastive (triplet, semi-hard)',
];

for (const name of NAMES) {
  test(`${name}: training steps make no synchronous read (dataSync, arraySync) and leak nothing`, async () => {
    const { method, batch } = build(name);
    const r = new Rng(3);
    try {
      const run = async (k: number): Promise<number> => {
        const b = batch(k);
        try {
          return (await method.trainStep(b, r)).loss;
        } finally {
          b.x.dispose();
        }
      };
      // the spy works: a synchronous read is counted
      counting = true;
      tf.tidy(() => tf.scalar(1).dataSync());
      counting = false;
      assert.equal(reads.dataSync, 1, 'the spy counts dataSync');
      reads.dataSync = 0;

      counting = true;
      const first = await run(0); // the first step too (NPID and CMC estimate Z there)
      const n0 = tf.memory().numTensors;
      const losses = [first, await run(1), await run(2)];
      counting = false;
      assert.deepEqual(reads, { dataSync: 0, arraySync: 0 }, `${name}: synchronous reads during 3 steps`);
      assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
      assert.equal(tf.memory().numTensors, n0, 'steps 2 and 3 leaked tensors');
    } finally {
      counting = false;
      reads.dataSync = 0;
      reads.arraySync = 0;
      method.dispose();
    }
  });
}
