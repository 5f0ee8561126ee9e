/**
 * `npm run bench -- label-draws [--run runs/start] [--draws 8] [--limit 4000] [--test-limit 1000]`:
 * how much the choice of the labelled subset moves the probes at 1% and 10% of the labels. For a
 * run's encoder, its random encoder and raw pixels, kNN (the evaluation's protocol, and k = 1) on
 * `--draws` class-stratified subsets (seeds 0, 1, ...) of the same labelled train rows `eval` uses;
 * prints the mean and every draw. The reason `eval` averages 5 draws below 100% (README, Evaluation).
 */
import { initBackend } from '../src/backend.js';
import { loadSplits } from '../src/node/data/load-splits.js';
import { loadModel } from '../src/node/run/model-io.js';
import { RunFolder } from '../src/node/run/run-folder.js';
import { embedDataset, rawFeatures } from '../src/eval/dataset-features.js';
import { knnAccuracy } from '../src/eval/knn.js';
import { KNN_PROTOCOL, knnOptions } from '../src/eval/knn-protocol.js';
import { stratifiedSubset } from '../src/eval/stratify.js';
import { selectLabels, selectRows, type FeatureArray } from '../src/eval/features.js';

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const run = new RunFolder(opt('run', 'runs/start'));
  const draws = Number(opt('draws', '8'));
  await initBackend();
  const config = (await run.readConfig()) as { options: { data: string } };
  const s = await loadSplits(
    config.options.data,
    { limit: Number(opt('limit', '4000')), testLimit: Number(opt('test-limit', '1000')), seed: 0 },
    () => {},
  );
  const yTrain = s.train.labels!.values;
  const yTest = s.test.labels!.values;
  const sets: Record<string, { train: FeatureArray; test: FeatureArray }> = {};
  for (const [name, path] of [
    ['trained', run.path('encoder')],
    ['random', run.path('randomEncoder')],
  ] as const) {
    const model = await loadModel(path);
    sets[name] = { train: await embedDataset(model, s.train), test: await embedDataset(model, s.test) };
    model.dispose();
  }
  sets.pixels = { train: await rawFeatures(s.train), test: await rawFeatures(s.test) };
  console.log(
    `kNN accuracy % over ${draws} labelled subsets (seeds 0-${draws - 1}) of ${yTrain.length} train rows; ${yTest.length} test rows; run ${opt('run', 'runs/start')}`,
  );
  console.log('| labels | kNN | features | mean | min | max | every draw |');
  console.log('|---|---|---|---|---|---|---|');
  for (const fraction of [0.01, 0.1]) {
    for (const [label, knn] of [
      [`k ${KNN_PROTOCOL.k}, T ${KNN_PROTOCOL.temperature}`, knnOptions(KNN_PROTOCOL)],
      ['k 1', { k: 1, temperature: KNN_PROTOCOL.temperature }],
    ] as const) {
      for (const [name, f] of Object.entries(sets)) {
        const accs: number[] = [];
        for (let seed = 0; seed < draws; seed++) {
          const rows = stratifiedSubset(yTrain, fraction, seed);
          accs.push(100 * (await knnAccuracy(selectRows(f.train.data, f.train.dim, rows), selectLabels(yTrain, rows), f.test, yTest, knn)));
        }
        const mean = accs.reduce((a, v) => a + v, 0) / accs.length;
        console.log(
          `| ${fraction * 100}% | ${label} | ${name} | ${mean.toFixed(1)} | ${Math.min(...accs).toFixed(1)} | ${Math.max(...accs).toFixed(1)} | ${accs.map((a) => a.toFixed(1)).join(', ')} |`,
        );
      }
    }
  }
}
