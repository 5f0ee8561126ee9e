/**
 * A collapse signal that needs no labels: the standard deviation of L2-normalised embeddings,
 * per dimension over the rows, averaged over the dimensions (Chen & He 2021, SimSiam,
 * arXiv:2011.10566, §4.1). Spread-out unit vectors in D dimensions give about 1/sqrt(D); it
 * tends to 0 as the embeddings collapse to one point.
 */
import * as tf from '../tf.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertFeatures, toTensor, type Features } from './features.js';

/** Mean over dimensions of the per-dimension std of the L2-normalised rows of `x` `[N, D]` (N >= 2). */
export async function embeddingStd(x: Features): Promise<number> {
  assertFeatures(x, 'embeddingStd', 'x', 2);
  const t = toTensor(x);
  try {
    const s = tf.tidy(() => {
      const u = l2Normalize(t.tensor); // [N, D]
      const { variance } = tf.moments(u, 0); // [D]
      return tf.mean(tf.sqrt(variance)); // scalar
    });
    const [v] = await s.data();
    s.dispose();
    return v!;
  } finally {
    if (t.owned) t.tensor.dispose();
  }
}
