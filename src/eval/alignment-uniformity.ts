/**
 * Alignment and uniformity of a representation (Wang & Isola 2020, "Understanding Contrastive
 * Representation Learning through Alignment and Uniformity on the Hypersphere", arXiv:2005.10242),
 * measured on held-out positive pairs: row i of `x` and row i of `y` are the features of two views
 * of the same sample. Both are L2-normalised first. Uses the losses `alignmentLoss` and
 * `uniformityLoss` of `src/losses/`; this file only prepares the inputs and reads numbers back.
 *
 * Uniformity is quadratic in rows, so it is measured on a seeded random subset of at most
 * `maxUniformityRows` rows of x and of y, and the two values are averaged (as the paper's code does).
 */
import * as tf from '../tf.js';
import { alignmentLoss } from '../losses/alignment.js';
import { uniformityLoss } from '../losses/uniformity.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { Rng } from '../random.js';
import { assertFinite, assertInteger, assertPositive } from '../validate.js';
import { ShapeError } from '../errors.js';
import { assertFeatures, assertOptionsObject, assertSameDim, toTensor, type Features } from './features.js';

export interface AlignmentUniformityOptions {
  /** Exponent α of the alignment distance. @default 2 (Wang & Isola 2020, §4) */
  alpha?: number;
  /** Scale t of the uniformity Gaussian potential. @default 2 (Wang & Isola 2020, §4) */
  t?: number;
  /** Most rows used for uniformity (pairs grow as rows²). @default 2048 */
  maxUniformityRows?: number;
  /** Seed of that subset. @default 0 */
  seed?: number;
}

export interface AlignmentUniformity {
  /** mean ||x_i - y_i||^α over the pairs, in [0, 2^α]; lower is better. */
  alignment: number;
  /** log mean exp(-t ||u - v||²) over distinct rows, in [-4t, 0]; lower is more uniform. */
  uniformity: number;
}

const FN = 'alignmentUniformity';

/**
 * Alignment and uniformity of positive pairs `x`, `y` `[N, D]` (N >= 2), as plain numbers.
 *
 * @example
 * const { alignment, uniformity } = await alignmentUniformity(embed(view1), embed(view2));
 */
export async function alignmentUniformity(
  x: Features,
  y: Features,
  options: AlignmentUniformityOptions = {},
): Promise<AlignmentUniformity> {
  assertOptionsObject(options, FN);
  const { alpha = 2, t = 2, maxUniformityRows = 2048, seed = 0 } = options;
  const [n, d] = assertFeatures(x, FN, 'x', 2);
  const [ny, dy] = assertFeatures(y, FN, 'y');
  if (ny !== n) throw new ShapeError(FN, 'y', `must have ${n} rows (one per row of x: positive pairs), got ${ny}`);
  assertSameDim(d, dy, FN, 'y', 'x');
  assertPositive(alpha, FN, 'alpha');
  assertPositive(t, FN, 't');
  assertInteger(maxUniformityRows, FN, 'maxUniformityRows', 2);
  assertFinite(seed, FN, 'seed');
  let rows: Int32Array | undefined;
  if (n > maxUniformityRows) {
    const all = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
    rows = all.subarray(0, maxUniformityRows).slice().sort();
  }
  const tx = toTensor(x);
  const ty = toTensor(y);
  try {
    const result = tf.tidy(() => {
      const u = l2Normalize(tx.tensor); // [N, D]
      const v = l2Normalize(ty.tensor); // [N, D]
      const sub = (a: tf.Tensor2D) => (rows === undefined ? a : tf.gather(a, rows)); // [≤maxUniformityRows, D]
      const align = alignmentLoss(u, v, { alpha });
      const uniform = tf.div(tf.add(uniformityLoss(sub(u), { t }), uniformityLoss(sub(v), { t })), 2);
      return tf.stack([align, uniform]);
    });
    const [alignment, uniformity] = await result.data();
    result.dispose();
    return { alignment: alignment!, uniformity: uniformity! };
  } finally {
    if (tx.owned) tx.tensor.dispose();
    if (ty.owned) ty.tensor.dispose();
  }
}
