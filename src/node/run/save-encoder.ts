/**
 * Saves a run's encoder (trained, or at its initialisation), followed by the shrinkage whitening
 * of its h fitted on a fixed sample of the training data when the recipe asks for it
 * (src/models/feature-whitening.ts). The trained and the random encoder are whitened the same way,
 * each on its own features, so that the random baseline is not handicapped by an unwhitened h.
 */
import type * as tf from '../../tf.js';
import type { Dataset } from '../../data/dataset.js';
import { seededSample } from '../../data/seeded-sample.js';
import { embedDataset } from '../../eval/dataset-features.js';
import { DEFAULT_WHITENING_SHRINKAGE, fitWhitening, whitenEncoder } from '../../models/feature-whitening.js';
import type { Recipe } from '../../recipes/recipe.js';
import { saveModel } from './model-io.js';

/** `pretrain`'s whitening: the default α (0.5), fitted on at most 10,000 training samples. */
export const RUN_WHITENING = { shrinkage: DEFAULT_WHITENING_SHRINKAGE, samples: 10000 } as const;

/** Saves `encoder` to `dir`, whitened on `data` (its seeded sample) when `recipe.featureWhitening` is set. */
export async function saveEncoder(encoder: tf.LayersModel, dir: string, recipe: Recipe, data: Dataset): Promise<void> {
  const w = recipe.featureWhitening;
  if (w === undefined) {
    await saveModel(encoder, dir);
    return;
  }
  const sample = seededSample(data, w.samples, recipe.seed);
  const whitening = await fitWhitening(await embedDataset(encoder, sample), { shrinkage: w.shrinkage });
  const whitened = whitenEncoder(encoder, whitening);
  try {
    await saveModel(whitened.model, dir);
  } finally {
    whitened.dispose();
  }
}
