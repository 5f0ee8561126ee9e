/**
 * The loop the studies on saved runs share (knn-space, whitening): for each run folder, its
 * trained network (the checkpoint) and the same network at its initialisation (the recipe rebuilt
 * with the run's seed), eval's labelled splits of the run's data, the feature sets a study builds
 * from them plus the raw input, both probes on every set (eval's protocol: 1%, 10%, 100% of the
 * labels, 5 draws below 100%), one row per set as it goes and the whole table at the end.
 */
import { initBackend } from '../src/backend.js';
import { buildMethod, type MethodBuild } from '../src/recipes/recipe.js';
import type { Method } from '../src/methods/method.js';
import { RunFolder } from '../src/node/run/run-folder.js';
import { loadSplits } from '../src/node/data/load-splits.js';
import { rawFeatures } from '../src/eval/dataset-features.js';
import { compareLabelEfficiency, type FeatureSet } from '../src/eval/label-efficiency.js';
import type { Dataset } from '../src/data/dataset.js';

/** What a study gets for one run. */
export interface SavedRun {
  dir: string;
  config: { recipe: MethodBuild['recipe']; optimizer: MethodBuild['optimizer']; options: { data: string } };
  /** The run's data, eval's labelled train and test images. */
  train: Dataset;
  test: Dataset;
  /** The network at the end of the run, and at its initialisation. */
  trained: Method;
  initial: Method;
}

/** `--name value` of `args`, or `fallback`. */
export function benchOption(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
}

/** `--runs a,b` and eval's split sizes (`--limit 4000 --test-limit 1000`) of a study on saved runs. */
export function savedRunArgs(args: string[], bench: string): { runs: string[]; split: { limit: number; testLimit: number } } {
  const runs = benchOption(args, 'runs', '')
    .split(',')
    .filter((r) => r !== '');
  if (runs.length === 0) throw new Error(`${bench}: --runs <dir>[,<dir>...] is required`);
  return { runs, split: { limit: Number(benchOption(args, 'limit', '4000')), testLimit: Number(benchOption(args, 'test-limit', '1000')) } };
}

/** Runs `featureSets` on each run of `runs` and prints both probes on its sets and on the raw input. */
export async function probeSavedRuns(
  runs: string[],
  split: { limit: number; testLimit: number },
  featureSets: (run: SavedRun) => Promise<Record<string, FeatureSet>>,
): Promise<void> {
  await initBackend();
  const rows: string[] = [];
  for (const dir of runs) {
    const folder = new RunFolder(dir);
    const config = (await folder.readConfig()) as SavedRun['config'];
    const { train, test } = await loadSplits(config.options.data, { ...split, seed: 0 }, () => {});
    const build = { recipe: config.recipe, optimizer: config.optimizer };
    const initial = buildMethod(build);
    const trained = buildMethod(build);
    const checkpoint = await folder.loadCheckpoint();
    try {
      trained.setState(checkpoint.state);
      const result = await compareLabelEfficiency({
        labels: { train: train.labels!.values, test: test.labels!.values },
        featureSets: {
          ...(await featureSets({ dir, config, train, test, trained, initial })),
          raw: { train: await rawFeatures(train), test: await rawFeatures(test) },
        },
      });
      for (const [name, res] of Object.entries(result)) {
        const cells = [...Object.values(res.linear), ...Object.values(res.knn)].map((v) => (100 * v).toFixed(1));
        const row = `| ${dir} | ${name} | ${cells.join(' | ')} |`;
        console.log(row);
        rows.push(row);
      }
    } finally {
      for (const x of Object.values(checkpoint.state.tensors)) x.dispose();
      initial.dispose();
      trained.dispose();
    }
  }
  console.log('\n| run | features | linear 1% | 10% | 100% | kNN 1% | 10% | 100% |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
