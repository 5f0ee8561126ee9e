/**
 * Fills a memory bank with a network's features before training: row i = normalize(features(x_i))
 * for every sample i of the data (bank rows are addressed by dataset index).
 *
 * Why: a bank initialised with random rows (the NPID reference code) makes the first epoch pull
 * each feature towards a random vector and push it from random noise rows, and estimates NCE's Z
 * from random scores; on Fashion-MNIST at a few thousand steps that first epoch leaves the encoder
 * worse than its random initialisation (BENCHMARKS.md, NPID). With the initial network's own
 * features the first epoch's positives and negatives are already features of the model.
 */
import * as tf from '../tf.js';
import type { Dataset } from '../data/dataset.js';
import { batches } from '../data/batches.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertInteger, describe } from '../validate.js';
import { MemoryBank } from './memory-bank.js';

export interface FillBankOptions {
  /** Samples per forward pass. @default 256 */
  batchSize?: number;
}

/**
 * Overwrites every row of `bank` with `features` of the matching sample of `data` (one pass in
 * index order through `batches`, the next batch fetched while one is embedded). `features(x)` maps
 * a batch `[b, ...sampleShape]` to `[b, bank.dim]`; each result is disposed here. `data.size` must
 * equal `bank.size`.
 */
export async function fillBank(
  bank: MemoryBank,
  data: Dataset,
  features: (x: tf.Tensor) => tf.Tensor2D,
  options: FillBankOptions = {},
): Promise<void> {
  const fn = 'fillBank';
  if (!(bank instanceof MemoryBank)) throw new ConfigError(fn, 'bank', `must be a MemoryBank, got ${describe(bank)}`);
  if (data === null || typeof data !== 'object' || typeof data.getBatch !== 'function')
    throw new ConfigError(fn, 'data', `must be a Dataset, got ${describe(data)}`);
  if (data.size !== bank.size)
    throw new ShapeError(fn, 'data', `must hold one sample per bank row (${bank.size}), got ${data.size} samples`);
  if (typeof features !== 'function')
    throw new ConfigError(fn, 'features', `must be a function (x) => [b, ${bank.dim}] tensor, got ${describe(features)}`);
  const { batchSize = 256 } = options ?? {};
  assertInteger(batchSize, fn, 'batchSize');
  for await (const b of batches(data, { batchSize })) {
    const x = tf.tensor(b.x, b.shape);
    let f: tf.Tensor2D | undefined;
    try {
      f = features(x);
      bank.set(b.indices, f);
    } finally {
      x.dispose();
      f?.dispose();
    }
  }
}
