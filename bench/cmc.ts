/**
 * `npm run bench -- cmc [options]`: Contrastive Multiview Coding on the CIFAR-10 subset
 * (../shared/data/cifar10-subset or CONTRASTIVE_DATA: 4,000 train, 1,000 test), next to SimCLR
 * trained for the same number of epochs, the random networks and raw pixels. Reports kNN and
 * linear-probe accuracy at 10% and 100% of the train labels (nested stratified subsets, scored on
 * the whole test split), training time, and whether every CMC run beats both baselines.
 *
 * Runs (all built by the CLI's recipe, `buildMethod`, so the numbers are those of
 * `contrastive pretrain --method cmc ...` with the same options):
 * - `cmc2-softmax`: views lab (L | ab), in-batch softmax (the CLI default)
 * - `cmc2-nce`:     views lab, NCE with a memory bank per view (K = min(4096, train size))
 * - `cmc3-core`:    views lab,gradient (L | ab | Sobel magnitude), core graph, softmax
 * - `cmc3-full`:    the same views, full graph, softmax
 * - `simclr`:       full-width small CNN, simclrCifar augmentation, τ 0.5
 * Each CMC view has a small CNN at half width ([16, 32, 64]) and its own 128-d head; τ 0.07;
 * Adam 1e-3 with the trainer's warm-up + cosine; batch 128; crop (area 0.2-1) + flip once.
 *
 * Options: --epochs N (default 8), --batch 128, --methods a,b,..., --limit N (train rows,
 * stratified), --test-limit N, --seed 0, --no-baselines (skip raw pixels and random networks),
 * --json <file> (write the results), --lab-timing (time the Lab views only), --merge a.json,b.json (print the table of saved results). Runs can be split over processes (`--methods x --no-baselines`,
 * plus `--methods '' ` for the baselines alone): label subsets depend only on the labels and seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '../src/tf.js';
import { initBackend, describeBackend } from '../src/backend.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/node/data/load-dataset.js';
import { buildMethod, type MethodBuild, type Recipe } from '../src/recipes/recipe.js';
import { cmcRecipe } from '../src/recipes/cmc-recipe.js';
import { labL } from '../src/cmc-views/lab-l.js';
import { labAb } from '../src/cmc-views/lab-ab.js';
import { labNormalize, rgbToLab } from '../src/augment/lab.js';
import { train } from '../src/train/trainer.js';
import { compareLabelEfficiency, type LabelEfficiencyResult } from '../src/eval/label-efficiency.js';
import { formatLabelEfficiencyTable } from '../src/eval/format-table.js';
import type { FeatureArray } from '../src/eval/features.js';

const RUNS = {
  'cmc2-softmax': { views: 'lab', graph: 'core', objective: 'softmax' },
  'cmc2-nce': { views: 'lab', graph: 'core', objective: 'nce' },
  'cmc3-core': { views: 'lab,gradient', graph: 'core', objective: 'softmax' },
  'cmc3-full': { views: 'lab,gradient', graph: 'full', objective: 'softmax' },
  simclr: undefined,
} as const;
type RunName = keyof typeof RUNS;

interface Options {
  runs: RunName[];
  epochs: number;
  batch: number;
  limit: number | undefined;
  testLimit: number | undefined;
  seed: number;
  baselines: boolean;
  json: string | undefined;
  merge: string[] | undefined;
  labTiming: boolean;
}

function parse(args: string[]): Options {
  const o: Options = {
    runs: Object.keys(RUNS) as RunName[],
    epochs: 8,
    batch: 128,
    limit: undefined,
    testLimit: undefined,
    seed: 0,
    baselines: true,
    json: undefined,
    merge: undefined,
    labTiming: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`bench cmc: ${a} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number.parseInt(next(), 10);
      if (!(v > 0)) throw new Error(`bench cmc: ${a} needs a positive integer`);
      return v;
    };
    if (a === '--methods') {
      o.runs = next()
        .split(',')
        .filter((s) => s !== '') as RunName[];
      for (const r of o.runs) if (!(r in RUNS)) throw new Error(`bench cmc: --methods takes ${Object.keys(RUNS).join(',')}, got '${r}'`);
    } else if (a === '--epochs') o.epochs = int();
    else if (a === '--batch') o.batch = int();
    else if (a === '--limit') o.limit = int();
    else if (a === '--test-limit') o.testLimit = int();
    else if (a === '--seed') o.seed = Number.parseInt(next(), 10);
    else if (a === '--no-baselines') o.baselines = false;
    else if (a === '--json') o.json = next();
    else if (a === '--merge') o.merge = next().split(',');
    else if (a === '--lab-timing') o.labTiming = true;
    else throw new Error(`bench cmc: unknown option '${a}'`);
  }
  return o;
}

/** Row-major values of `fn` applied to the whole dataset in batches. */
async function mapDataset(data: Dataset, fn: (x: tf.Tensor) => tf.Tensor2D, batch = 250): Promise<FeatureArray> {
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let s = 0; s < data.size; s += batch) {
    const b = await data.getBatch(Int32Array.from({ length: Math.min(batch, data.size - s) }, (_, i) => s + i));
    const x = tf.tensor(b.x, b.shape);
    const f = fn(x);
    dim = f.shape[1];
    parts.push((await f.data()) as Float32Array);
    tf.dispose([x, f]);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return { data: out, dim };
}

/** The CLI's build of a run (same defaults as `contrastive pretrain`). */
function recipeOf(name: RunName, o: Options, trainSize: number): MethodBuild {
  const base: Recipe = {
    method: name === 'simclr' ? 'simclr' : 'cmc',
    arch: 'small-cnn',
    inputShape: [32, 32, 3],
    kind: 'image',
    width: 64,
    augmentation: 'simclr-cifar',
    flip: true,
    temperature: name === 'simclr' ? 0.5 : 0.07,
    projectionDim: 128,
    seed: o.seed,
  };
  const cmc = RUNS[name];
  const recipe: Recipe =
    cmc === undefined ? base : { ...base, ...cmcRecipe(cmc, { kind: 'image', sampleShape: [32, 32, 3], trainSize, arch: 'small-cnn' }) };
  return { recipe, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 1e-6, clipNorm: 0 } };
}

/** Prints the table of `results` and, with the baselines present, whether each CMC run beats raw pixels and its random network. */
function report(results: Record<string, LabelEfficiencyResult>): void {
  console.log('\n' + formatLabelEfficiencyTable(results));
  if (results['raw pixels'] === undefined) return;
  for (const name of Object.keys(results).filter((r) => r.startsWith('cmc'))) {
    const r = results[name]!;
    const own = name.startsWith('cmc2') ? 'random cmc2 net' : 'random cmc3 net';
    if (results[own] === undefined) continue;
    const beats = (['linear', 'knn'] as const).every((p) =>
      ['10%', '100%'].every((f) => ['raw pixels', own].every((b) => r[p][f]! > results[b]![p][f]!)),
    );
    console.log(`${name} beats raw pixels and its random network (${own}) on both probes at 10% and 100%: ${beats ? 'yes' : 'NO'}`);
  }
}

export async function main(args: string[]): Promise<void> {
  const o = parse(args);
  if (o.merge !== undefined) {
    // the --json files of runs split over processes, as one table
    const results: Record<string, LabelEfficiencyResult> = {};
    for (const file of o.merge) {
      const j = JSON.parse(readFileSync(file, 'utf8')) as { runs: string[]; results: Record<string, LabelEfficiencyResult> };
      for (const line of j.runs) console.log(line);
      Object.assign(results, j.results);
    }
    report(results);
    return;
  }
  const info = await initBackend();
  if (o.labTiming) {
    // the L and ab views of a batch: the views' pixel loop vs the tensor form of src/augment/lab.ts, alternating
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const loop: number[] = [];
    const tensor: number[] = [];
    for (let i = 0; i < 7; i++) {
      const x = tf.randomUniform([256, 32, 32, 3]) as tf.Tensor4D; // a new tensor each round: no cached conversion
      let t = performance.now();
      const v = [labL().apply(x), labAb().apply(x)];
      loop.push(performance.now() - t);
      t = performance.now();
      const c = tf.tidy(() => labNormalize(rgbToLab(x)));
      c.dataSync();
      tensor.push(performance.now() - t);
      tf.dispose([x, ...v, c]);
    }
    console.log(
      `${describeBackend(info)}: L + ab views of 256 32x32 images, median of 7 alternating rounds: views (pixel loop) ${med(loop).toFixed(0)} ms, one tensor rgbToLab + labNormalize ${med(tensor).toFixed(0)} ms`,
    );
    return;
  }
  let trainData: Dataset;
  let testData: Dataset;
  try {
    trainData = await loadDataset('cifar10-subset', { split: 'train', ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    testData = await loadDataset('cifar10-subset', { split: 'test', ...(o.testLimit !== undefined ? { limit: o.testLimit } : {}) });
  } catch (err) {
    console.log(`bench cmc: the CIFAR-10 subset is not available here (${(err as Error).message}); nothing measured`);
    return;
  }
  const labels = { train: trainData.labels!.values, test: testData.labels!.values };
  console.log(
    `${describeBackend(info)}; CIFAR-10 subset train ${trainData.size}, test ${testData.size}; batch ${o.batch}; ${o.epochs} epoch(s) per run; seed ${o.seed}`,
  );
  const t0 = performance.now();
  const featureSets: Record<string, { train: FeatureArray; test: FeatureArray }> = {};
  const flat = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [x.shape[0]!, -1]);
  if (o.baselines) featureSets['raw pixels'] = { train: await mapDataset(trainData, flat), test: await mapDataset(testData, flat) };
  // random networks: the CMC 2- and 3-view encoders and SimCLR's CNN, at their (seeded) initialisation
  const randoms = [
    ['random cmc2 net', 'cmc2-softmax'],
    ['random cmc3 net', 'cmc3-core'],
    ['random simclr net', 'simclr'],
  ] as const;
  for (const [label, name] of o.baselines ? randoms : []) {
    const m = buildMethod(recipeOf(name, o, trainData.size));
    const embed = (x: tf.Tensor): tf.Tensor2D => m.embed(x);
    featureSets[label] = { train: await mapDataset(trainData, embed), test: await mapDataset(testData, embed) };
    m.dispose();
  }
  const lines: string[] = [];
  for (const name of o.runs) {
    const method = buildMethod(recipeOf(name, o, trainData.size));
    const losses: number[] = [];
    const started = performance.now();
    const result = await train({
      method,
      data: trainData,
      batchSize: o.batch,
      epochs: o.epochs,
      seed: o.seed,
      onStep: (r) => {
        losses.push(r.loss);
        if (losses.length % 20 === 0)
          console.error(
            `  ${name} step ${losses.length}: loss ${r.loss.toFixed(3)}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
          );
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const embed = (x: tf.Tensor): tf.Tensor2D => method.embed(x);
    featureSets[name] = { train: await mapDataset(trainData, embed), test: await mapDataset(testData, embed) };
    const line = `${name}: ${result.steps} steps in ${seconds.toFixed(0)} s (${((seconds * 1000) / result.steps).toFixed(0)} ms/step), loss ${losses[0]?.toFixed(3)} -> ${result.lastLoss.toFixed(3)}, representation ${featureSets[name].train.dim}-d, ${method.encoder.countParams()} encoder parameters`;
    console.log(line);
    lines.push(line);
    method.dispose();
  }
  const results = await compareLabelEfficiency({ labels, featureSets, fractions: [0.1, 1], seed: o.seed });
  report(results);
  if (o.json !== undefined) writeFileSync(o.json, JSON.stringify({ options: o, backend: info.name, runs: lines, results }, null, 1));
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
