/**
 * Per-epoch signals of representation quality that need no labels, for training on unlabelled
 * data (where there is no kNN monitor): alignment and uniformity (Wang & Isola 2020,
 * arXiv:2005.10242) of two augmented views of a fixed sample of the training data, and the
 * collapse signal `embeddingStd` (std of the L2-normalised embeddings; 0 when collapsed). The
 * sample and its views are drawn from the same seed every epoch, so epochs compare.
 */
import type { Dataset } from '../data/dataset.js';
import { seededSample } from '../data/seeded-sample.js';
import type { Augmentation } from '../augment/augmentation.js';
import type { Method } from '../methods/method.js';
import { alignmentUniformity } from '../eval/alignment-uniformity.js';
import { embedDataset } from '../eval/dataset-features.js';
import { embeddingStd } from '../eval/embedding-std.js';
import { Rng } from '../random.js';
import { assertInteger } from '../validate.js';

export interface EmbeddingHealth {
  /** Mean squared distance of the two views' normalised embeddings; lower is better. */
  alignment: number;
  /** log mean exp(-2 ||u - v||²) over rows; lower is more uniform. */
  uniformity: number;
  /** Std of the L2-normalised embeddings (about 1/sqrt(D) when spread, 0 when collapsed). */
  embeddingStd: number;
}

export interface EmbeddingHealthOptions {
  /** Training samples measured. @default 512 (uniformity is quadratic in rows) */
  rows?: number;
  /** Seed of the sample and of its views. @default 0 */
  seed?: number;
  /** Samples per forward pass. @default 256 */
  batchSize?: number;
}

/** A function measuring `method` on a fixed sample of `data`; pass it as the trainer's `epochMetrics`. */
export function embeddingHealthMonitor(
  data: Dataset,
  augmentation: Augmentation,
  options: EmbeddingHealthOptions = {},
): (method: Method) => Promise<EmbeddingHealth> {
  const { rows = 512, seed = 0, batchSize = 256 } = options;
  assertInteger(rows, 'embeddingHealthMonitor', 'rows', 2);
  const sample = seededSample(data, rows, seed);
  return async (method) => {
    const rng = new Rng(seed + 1);
    const x = await embedDataset(method, sample, batchSize, { augmentation, rng });
    const y = await embedDataset(method, sample, batchSize, { augmentation, rng });
    const { alignment, uniformity } = await alignmentUniformity(x, y, { seed });
    return { alignment, uniformity, embeddingStd: await embeddingStd(x) };
  };
}
