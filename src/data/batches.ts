/**
 * Batched iteration over a Dataset, with the next batch fetched while the current one is used
 * (a streaming folder decodes batch k+1 in worker threads while batch k trains).
 */
import type { Batch, Dataset } from './dataset.js';
import type { Rng } from '../random.js';
import { assertInteger } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface BatchesOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Visit samples in a random order (needs `rng`). @default false */
  shuffle?: boolean;
  /** Seeded generator for the shuffle; its state advances, so saving it restores the order. */
  rng?: Rng;
  /** Skip a last batch smaller than batchSize (contrastive losses want a fixed N). @default false */
  dropLast?: boolean;
  /** Batches fetched ahead of the one being consumed (0: none). @default 1 */
  prefetch?: number;
}

/** The order `batches` visits (exported for tests and resumable training). */
export function epochOrder(size: number, { shuffle = false, rng }: Pick<BatchesOptions, 'shuffle' | 'rng'> = {}): Int32Array {
  const order = Int32Array.from({ length: size }, (_, i) => i);
  if (shuffle) {
    if (rng === undefined) throw new ConfigError('batches', 'rng', 'must be given when shuffle is true (a seeded Rng makes runs reproducible), got undefined');
    rng.shuffle(order);
  }
  return order;
}

/** One pass over `dataset` in batches. */
export async function* batches(dataset: Dataset, options: BatchesOptions): AsyncGenerator<Batch> {
  const { batchSize, dropLast = false, prefetch = 1 } = options;
  assertInteger(batchSize, 'batches', 'batchSize');
  assertInteger(prefetch, 'batches', 'prefetch', 0);
  const order = epochOrder(dataset.size, options);
  const starts: number[] = [];
  for (let s = 0; s < order.length; s += batchSize) {
    if (dropLast && s + batchSize > order.length) break;
    starts.push(s);
  }
  const fetch = (s: number): Promise<Batch> => dataset.getBatch(order.subarray(s, Math.min(s + batchSize, order.length)));
  const pending: Promise<Batch>[] = [];
  // Mark fetched-ahead promises as handled: an error surfaces when its batch is awaited.
  const ahead = (p: Promise<Batch>): Promise<Batch> => {
    p.catch(() => undefined);
    return p;
  };
  let k = 0;
  try {
    while (k < starts.length || pending.length > 0) {
      while (k < starts.length && pending.length <= prefetch) pending.push(ahead(fetch(starts[k++]!)));
      yield await pending.shift()!;
    }
  } finally {
    pending.length = 0;
  }
}
