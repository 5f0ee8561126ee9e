/**
 * `npm run bench -- whitening --runs <dir>[,<dir>...] [--shrinkages 0.33,0.5,0.67] [--samples 10000]
 * [--limit 4000] [--test-limit 1000]`: both probes (eval's protocol: 1%, 10%, 100% of the labels,
 * 5 draws below 100%) on h as the encoder computes it and on h whitened with each shrinkage α
 * (src/models/feature-whitening.ts), fitted as `pretrain` fits it: on a seeded sample of the run's
 * training split, for the trained network (its checkpoint) and for the same network at its
 * initialisation (rebuilt from the run's recipe and seed, whitened on its own features), against
 * the raw input. The study behind the saved encoder's whitening (BENCHMARKS.md, "Whitening h").
 */
import type * as tf from '../src/tf.js';
import { loadDataset } from '../src/node/data/load-dataset.js';
import { seededSample } from '../src/data/seeded-sample.js';
import { embedDataset } from '../src/eval/dataset-features.js';
import type { FeatureSet } from '../src/eval/label-efficiency.js';
import { benchOption, probeSavedRuns, savedRunArgs } from './_saved-run-probes.js';
import { fitWhitening, whitenEncoder } from '../src/models/feature-whitening.js';
import type { Dataset } from '../src/data/dataset.js';

async function whitenedSets(
  name: string,
  encoder: tf.LayersModel,
  sample: Dataset,
  train: Dataset,
  test: Dataset,
  shrinkages: number[],
): Promise<Record<string, FeatureSet>> {
  const out: Record<string, FeatureSet> = {
    [`${name} h`]: { train: await embedDataset(encoder, train), test: await embedDataset(encoder, test) },
  };
  const fitted = await embedDataset(encoder, sample);
  for (const shrinkage of shrinkages) {
    const w = whitenEncoder(encoder, await fitWhitening(fitted, { shrinkage }));
    try {
      out[`${name} α ${shrinkage}`] = { train: await embedDataset(w.model, train), test: await embedDataset(w.model, test) };
    } finally {
      w.dispose();
    }
  }
  return out;
}

export async function main(args: string[]): Promise<void> {
  const { runs, split } = savedRunArgs(args, 'whitening');
  const shrinkages = benchOption(args, 'shrinkages', '0.33,0.5,0.67').split(',').map(Number);
  await probeSavedRuns(runs, split, async (run) => {
    const data = run.config.options.data;
    const sample = seededSample(
      await loadDataset(data, { split: 'train' }),
      Number(benchOption(args, 'samples', '10000')),
      run.config.recipe.seed,
    );
    return {
      ...(await whitenedSets('trained', run.trained.encoder, sample, run.train, run.test, shrinkages)),
      ...(await whitenedSets('random', run.initial.encoder, sample, run.train, run.test, shrinkages)),
    };
  });
}
