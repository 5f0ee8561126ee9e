/**
 * `npm run bench -- knn-space --runs <dir>[,<dir>...] [--limit 4000] [--test-limit 1000]`: both
 * probes (linear and kNN, eval's protocol: 1%, 10%, 100% of the labels, 5 draws below 100%) on the
 * representation h and on the embedding z = g(h) of saved runs, for the trained network (its
 * checkpoint) and the same network at its initialisation (the recipe rebuilt with the run's seed),
 * against the raw input: the study behind `eval` reading kNN on z (BENCHMARKS.md, Evaluation).
 * Works on any run with a checkpoint and a projection head (SimCLR, MoCo, NPID, InvaSpread), also
 * runs made before the head was saved beside the encoder.
 */
import { initBackend } from '../src/backend.js';
import { buildMethod, type MethodBuild } from '../src/recipes/recipe.js';
import type { Method } from '../src/methods/method.js';
import { RunFolder } from '../src/node/run/run-folder.js';
import { loadSplits } from '../src/node/data/load-splits.js';
import { embedDataset, embedThrough, rawFeatures } from '../src/eval/dataset-features.js';
import { compareLabelEfficiency, type FeatureSet } from '../src/eval/label-efficiency.js';
import type { Dataset } from '../src/data/dataset.js';

async function spaces(method: Method, train: Dataset, test: Dataset): Promise<{ h: FeatureSet; z: FeatureSet }> {
  const head = method.head;
  if (head === undefined) throw new Error(`knn-space: ${method.name} has no projection head`);
  return {
    h: { train: await embedDataset(method.encoder, train), test: await embedDataset(method.encoder, test) },
    z: { train: await embedThrough(method.encoder, head, train), test: await embedThrough(method.encoder, head, test) },
  };
}

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const runs = opt('runs', '')
    .split(',')
    .filter((r) => r !== '');
  if (runs.length === 0) throw new Error('knn-space: --runs <dir>[,<dir>...] is required');
  await initBackend();
  const rows: string[] = [];
  for (const dir of runs) {
    const run = new RunFolder(dir);
    const config = (await run.readConfig()) as {
      recipe: MethodBuild['recipe'];
      optimizer: MethodBuild['optimizer'];
      options: { data: string };
    };
    const { train, test } = await loadSplits(
      config.options.data,
      { limit: Number(opt('limit', '4000')), testLimit: Number(opt('test-limit', '1000')), seed: 0 },
      () => {},
    );
    const build = { recipe: config.recipe, optimizer: config.optimizer };
    const initial = buildMethod(build);
    const trained = buildMethod(build);
    const checkpoint = await run.loadCheckpoint();
    try {
      trained.setState(checkpoint.state);
      const t = await spaces(trained, train, test);
      const r = await spaces(initial, train, test);
      const result = await compareLabelEfficiency({
        labels: { train: train.labels!.values, test: test.labels!.values },
        featureSets: {
          'trained h': t.h,
          'trained z': t.z,
          'random h': r.h,
          'random z': r.z,
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
