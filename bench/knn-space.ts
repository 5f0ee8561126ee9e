/**
 * `npm run bench -- knn-space --runs <dir>[,<dir>...] [--limit 4000] [--test-limit 1000]`: both
 * probes (linear and kNN, eval's protocol: 1%, 10%, 100% of the labels, 5 draws below 100%) on the
 * representation h and on the embedding z = g(h) of saved runs, for the trained network (its
 * checkpoint) and the same network at its initialisation (the recipe rebuilt with the run's seed),
 * against the raw input: the study behind `eval` reading kNN on z (BENCHMARKS.md, Evaluation).
 * Works on any run with a checkpoint and a projection head (SimCLR, MoCo, NPID, InvaSpread), also
 * runs made before the head was saved beside the encoder.
 */
import type { Method } from '../src/methods/method.js';
import { embedDataset, embedThrough } from '../src/eval/dataset-features.js';
import type { FeatureSet } from '../src/eval/label-efficiency.js';
import type { Dataset } from '../src/data/dataset.js';
import { probeSavedRuns, savedRunArgs } from './_saved-run-probes.js';

async function spaces(method: Method, train: Dataset, test: Dataset): Promise<{ h: FeatureSet; z: FeatureSet }> {
  const head = method.head;
  if (head === undefined) throw new Error(`knn-space: ${method.name} has no projection head`);
  return {
    h: { train: await embedDataset(method.encoder, train), test: await embedDataset(method.encoder, test) },
    z: { train: await embedThrough(method.encoder, head, train), test: await embedThrough(method.encoder, head, test) },
  };
}

export async function main(args: string[]): Promise<void> {
  const { runs, split } = savedRunArgs(args, 'knn-space');
  await probeSavedRuns(runs, split, async (run) => {
    const t = await spaces(run.trained, run.train, run.test);
    const r = await spaces(run.initial, run.train, run.test);
    return { 'trained h': t.h, 'trained z': t.z, 'random h': r.h, 'random z': r.z };
  });
}
