/**
 * A per-epoch collapse check that needs neither labels nor augmentations (CPC trains on raw
 * sequences): the embedding std (Chen & He 2021) and the effective rank (Roy & Vetterli 2007) of
 * the representation of a fixed sample of the training data, and a note when the representation
 * is degenerate: it varies along about one direction (effective rank below 2), or the rows point
 * almost the same way (embedding std below a tenth of the 1/sqrt(D) of spread-out rows), the
 * state in which cosine kNN sees every sample as the same.
 */
import type { Dataset } from '../data/dataset.js';
import { seededSample } from '../data/seeded-sample.js';
import type { Method } from '../methods/method.js';
import { embedDataset } from '../eval/dataset-features.js';
import { embeddingStd } from '../eval/embedding-std.js';
import { effectiveRank } from '../eval/effective-rank.js';
import { assertInteger } from '../validate.js';

export interface EmbeddingSpread {
  /** Std of the L2-normalised embeddings (about 1/sqrt(D) when spread, 0 when collapsed). */
  embeddingStd: number;
  /** exp(entropy of the normalised singular values) of the centred embeddings: 1 .. D. */
  effectiveRank: number;
  /** Why the representation looks degenerate, when it does. */
  spreadNote?: string;
}

export interface EmbeddingSpreadOptions {
  /** Training samples measured. @default 256 */
  rows?: number;
  /** Seed of the sample. @default 0 */
  seed?: number;
  /** Samples per forward pass. @default 256 */
  batchSize?: number;
  /** Measure at every `every`-th call (epoch) only, and at the first; the other calls return nothing. @default 1 */
  every?: number;
}

/** Effective rank under which a representation is called degenerate. */
export const MIN_EFFECTIVE_RANK = 2;
/** Embedding std, as a share of the 1/sqrt(D) of spread-out rows, under which the rows are called near-constant. */
export const MIN_STD_SHARE = 0.1;

/** The note for a measured spread, or undefined when it looks sound. */
export function spreadNote(std: number, rank: number, dim: number): string | undefined {
  if (rank < MIN_EFFECTIVE_RANK)
    return `degenerate representation: effective rank ${rank.toFixed(2)} of ${dim} (the features vary along about one direction)`;
  if (std < MIN_STD_SHARE / Math.sqrt(dim))
    return `near-constant representation: embedding std ${std.toFixed(4)}, under ${MIN_STD_SHARE} x 1/sqrt(${dim}) (every sample looks the same to cosine kNN)`;
  return undefined;
}

/** A function measuring `method` on a fixed sample of `data`; pass it as the trainer's `epochMetrics`. */
export function embeddingSpreadMonitor(
  data: Dataset,
  options: EmbeddingSpreadOptions = {},
): (method: Method) => Promise<EmbeddingSpread | Record<string, never>> {
  const fn = 'embeddingSpreadMonitor';
  const { rows = 256, seed = 0, batchSize = 256, every = 1 } = options;
  assertInteger(rows, fn, 'rows', 2);
  assertInteger(batchSize, fn, 'batchSize');
  assertInteger(every, fn, 'every');
  const sample = seededSample(data, rows, seed);
  let calls = 0;
  return async (method) => {
    calls += 1;
    if ((calls - 1) % every !== 0) return {};
    const x = await embedDataset(method, sample, batchSize);
    const std = await embeddingStd(x);
    const rank = await effectiveRank(x);
    const note = spreadNote(std, rank, x.dim);
    return { embeddingStd: std, effectiveRank: rank, ...(note !== undefined ? { spreadNote: note } : {}) };
  };
}
