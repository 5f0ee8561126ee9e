/**
 * The page's neighbour quality: weighted kNN accuracy (src/eval/knn.ts, k 20) of the embeddings
 * of the held-out labelled images, each image a query once. Rows fall in `folds` interleaved folds
 * (row i in fold i mod folds); each fold is classified by the rows of the other folds; the result
 * is the share of all rows classified right. With 500 held-out digits that is 500 queries, not
 * the 100 of a single 80/20 split (one query moved the old figure by 0.01).
 * No DOM: `bench/web-digits.ts` measures the same in Node.
 */
import { knnAccuracy } from '../src/eval/knn.js';
import { ConfigError, ShapeError } from '../src/errors.js';

export interface FoldedKnnOptions {
  /** Interleaved folds. @default 5 (each fold's memory is 80% of the rows, as the page's former split) */
  folds?: number;
  /** Neighbours that vote. @default 20 (DINO's k, src/eval/knn-protocol.ts) */
  k?: number;
}

/** values: `[N, dim]` row-major; labels: N class ids. Mean kNN accuracy over the N rows. */
export async function foldedKnnAccuracy(
  values: Float32Array,
  dim: number,
  labels: Int32Array,
  { folds = 5, k = 20 }: FoldedKnnOptions = {},
): Promise<number> {
  const n = labels.length;
  if (values.length !== n * dim)
    throw new ShapeError('foldedKnnAccuracy', 'values', `must hold ${n} x ${dim} numbers, got ${values.length}`);
  if (!Number.isInteger(folds) || folds < 2 || folds > n)
    throw new ConfigError('foldedKnnAccuracy', 'folds', `must be an integer in [2, ${n}], got ${folds}`);
  const numClasses = labels.reduce((m, v) => Math.max(m, v), 0) + 1;
  let right = 0;
  for (let f = 0; f < folds; f++) {
    const pick = (inFold: boolean): Int32Array => Int32Array.from({ length: n }, (_, i) => i).filter((i) => (i % folds === f) === inFold);
    const rows = (idx: Int32Array): Float32Array => {
      const out = new Float32Array(idx.length * dim);
      idx.forEach((r, j) => out.set(values.subarray(r * dim, (r + 1) * dim), j * dim));
      return out;
    };
    const [test, train] = [pick(true), pick(false)];
    const acc = await knnAccuracy(
      { data: rows(train), dim },
      Int32Array.from(train, (r) => labels[r]!),
      { data: rows(test), dim },
      Int32Array.from(test, (r) => labels[r]!),
      { k, numClasses },
    );
    right += Math.round(acc * test.length);
  }
  return right / n;
}
