/**
 * Features of a whole dataset for evaluation: a saved encoder's representation of every sample
 * (optionally of an augmented view), and the raw-sample baseline, as row-major Float32Arrays.
 * Browser-safe: eval, embed and the report use it in Node, the same code runs in a page.
 */
import * as tf from '../tf.js';
import type { Dataset } from '../data/dataset.js';
import { batches } from '../data/batches.js';
import type { FeatureArray } from './features.js';
import type { Augmentation } from '../augment/augmentation.js';
import type { Rng } from '../random.js';
import { assertInteger } from '../validate.js';

/**
 * `model`'s outputs for every sample of `data` (inference mode), `[N, D]`, in batches of
 * `batchSize`; with `augmentation`, of one augmented view of each sample (drawn from its Rng).
 * `model` is a saved encoder or anything with a method's `embed(x)` (e.g. CPC's pooled context).
 */
export async function embedDataset(
  model: tf.LayersModel | { embed(x: tf.Tensor): tf.Tensor2D },
  data: Dataset,
  batchSize = 256,
  augmentation?: { augmentation: Augmentation; rng: Rng },
): Promise<FeatureArray> {
  assertInteger(batchSize, 'embedDataset', 'batchSize');
  const parts: Float32Array[] = [];
  let dim = 0;
  for await (const b of batches(data, { batchSize })) {
    const h = tf.tidy(() => {
      let x: tf.Tensor = tf.tensor(b.x, b.shape); // [b, ...sampleShape]
      if (augmentation !== undefined) x = augmentation.augmentation(x, augmentation.rng);
      return model instanceof tf.LayersModel ? (model.predict(x) as tf.Tensor2D) : model.embed(x); // [b, D]
    });
    dim = h.shape[1];
    parts.push((await h.data()) as Float32Array);
    h.dispose();
  }
  const out = new Float32Array(data.size * dim);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { data: out, dim };
}

/** The projection head's output z = head(encoder(x)) of every sample of `data` (inference mode), `[N, E]`. */
export function embedThrough(encoder: tf.LayersModel, head: tf.LayersModel, data: Dataset, batchSize = 256): Promise<FeatureArray> {
  return embedDataset({ embed: (x) => head.predict(encoder.predict(x) as tf.Tensor) as tf.Tensor2D }, data, batchSize);
}

/** The raw samples flattened, `[N, prod(sampleShape)]`: the "pixels" baseline. */
export async function rawFeatures(data: Dataset, batchSize = 1024): Promise<FeatureArray> {
  assertInteger(batchSize, 'rawFeatures', 'batchSize');
  const dim = data.sampleShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.size * dim);
  let at = 0;
  for await (const b of batches(data, { batchSize })) {
    out.set(b.x, at);
    at += b.x.length;
  }
  return { data: out, dim };
}
