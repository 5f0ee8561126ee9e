/**
 * Every method on a small model, with a batch maker: the leak tests and the soak benchmark
 * (bench/soak.ts) train these. Vectors for SimCLR, NPID and InvaSpread (an MLP), 8x8 RGB images
 * for CMC (two conv nets over L and ab), 64-step sequences for CPC (strided conv1d + GRU).
 */
import * as tf from '../../src/tf.js';
import type { Rng } from '../../src/random.js';
import type { Method, TrainBatch } from '../../src/methods/method.js';
import { simclr } from '../../src/methods/simclr.js';
import { npid } from '../../src/methods/npid.js';
import { invaSpread } from '../../src/methods/inva-spread.js';
import { cmc } from '../../src/methods/cmc.js';
import { cpc } from '../../src/methods/cpc.js';
import { mlp } from '../../src/models/mlp.js';
import { convNet } from '../../src/models/conv-net.js';
import { projectionHead } from '../../src/models/projection-head.js';
import { conv1dEncoder } from '../../src/models/conv1d-encoder.js';
import { gruContext } from '../../src/models/gru-context.js';
import { MemoryBank } from '../../src/memory/memory-bank.js';
import { labL } from '../../src/cmc-views/lab-l.js';
import { labAb } from '../../src/cmc-views/lab-ab.js';
import { Optimizer } from '../../src/optim/optimizers.js';
import { randn, rng } from '../support/tensors.js';

export const TINY_METHODS = ['simclr', 'npid-nce', 'npid-softmax', 'invaspread', 'cmc-softmax', 'cmc-nce', 'cpc'] as const;
export type TinyMethod = (typeof TINY_METHODS)[number];

const B = 16;
const BANK = 64;
const D = 12;
const noise = (x: tf.Tensor, r: Rng): tf.Tensor =>
  tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', r.seed()), 0.1)));
const head = (seed: number): tf.LayersModel => projectionHead({ inputDim: 16, hiddenDim: 16, outputDim: 8, seed });
const opt = (): Optimizer => new Optimizer({ learningRate: 1e-3 });
const encoder = (seed: number): tf.LayersModel => mlp({ inputDim: D, hiddenUnits: [32, 16], seed });

/** A method and a function making its step `k`'s batch (deterministic in k). */
export function tinyMethod(name: TinyMethod): { method: Method; batch: (k: number) => TrainBatch } {
  const indices = (k: number): Int32Array => Int32Array.from({ length: B }, (_, i) => (k * B + i) % BANK);
  const vectors = (k: number): TrainBatch => ({ x: tf.tensor2d(randn(B * D, k + 1), [B, D]), indices: indices(k) });
  switch (name) {
    case 'simclr':
      return { method: simclr({ encoder: encoder(1), head: head(2), augmentation: noise, optimizer: opt() }), batch: vectors };
    case 'npid-nce':
    case 'npid-softmax':
      return {
        method: npid({
          encoder: encoder(1),
          head: head(2),
          bank: new MemoryBank({ size: BANK, dim: 8, seed: 3 }),
          objective: name === 'npid-nce' ? 'nce' : 'softmax',
          negatives: 32,
          temperature: 0.07,
          optimizer: opt(),
        }),
        batch: vectors,
      };
    case 'invaspread':
      return { method: invaSpread({ encoder: encoder(1), head: head(2), augmentation: noise, optimizer: opt() }), batch: vectors };
    case 'cmc-softmax':
    case 'cmc-nce': {
      const S = 8;
      return {
        method: cmc({
          views: [labL(), labAb()],
          inputShape: [S, S, 3],
          encoders: [
            convNet({ inputShape: [S, S, 1], widths: [4, 8], seed: 1, name: 'enc_l' }),
            convNet({ inputShape: [S, S, 2], widths: [4, 8], seed: 2, name: 'enc_ab' }),
          ],
          heads: [
            projectionHead({ inputDim: 8, hiddenDim: 8, outputDim: 6, seed: 3, name: 'head_l' }),
            projectionHead({ inputDim: 8, hiddenDim: 8, outputDim: 6, seed: 4, name: 'head_ab' }),
          ],
          graph: 'core',
          objective: name === 'cmc-nce' ? 'nce' : 'softmax',
          temperature: 0.07,
          negatives: 32,
          bankSize: BANK,
          optimizer: opt(),
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
    case 'cpc': {
      const geometry = { strides: [2, 2], kernelSizes: [4, 4] };
      return {
        method: cpc({
          encoder: conv1dEncoder({ ...geometry, filters: 8, seed: 1 }),
          context: gruContext({ inputDim: 8, units: 12, seed: 2 }),
          geometry,
          predictionSteps: 3,
          negatives: 'batch',
          timeSteps: 4,
          pooling: 'mean',
          seed: 3,
          optimizer: opt(),
        }),
        batch: (k) => ({ x: tf.tensor3d(randn(B * 64, k + 1), [B, 64, 1]), indices: indices(k) }),
      };
    }
  }
}
