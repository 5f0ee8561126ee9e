/**
 * The page's labelled held-out slice: `n` rows of `all`, the same share of every class, kept out of
 * training to measure neighbour quality; the rest is the training set. Used by the page and by
 * `bench/web-digits.ts`, which trains the page's default in Node.
 */
import type { Dataset } from '../src/data/dataset.js';
import { stratifiedLimit } from '../src/data/stratified-limit.js';
import { subset } from '../src/data/subset.js';

export function holdOut(all: Dataset, n: number): { train: Dataset; evalRows: Int32Array } {
  const evalRows = stratifiedLimit(all.labels!.values, n);
  const isEval = new Uint8Array(all.size);
  for (const i of evalRows) isEval[i] = 1;
  const train = subset(
    all,
    Int32Array.from({ length: all.size }, (_, i) => i).filter((i) => isEval[i] === 0),
    `${all.name}:train`,
  );
  return { train, evalRows };
}
