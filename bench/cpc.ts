/**
 * `npm run bench -- cpc [options]`: Contrastive Predictive Coding on raw sequences.
 *
 * - FSDD (../shared/data/fsdd, 8 kHz speech, official split: index 0-4 is test): linear probe
 *   accuracy for the digit and for the speaker from CPC features, from the same network with its
 *   random initial weights, and from the raw waveform resampled to a fixed size (each whole clip
 *   linearly interpolated to `--raw-size` points).
 * - The UCR sets of ../shared/data/ucr2018 by name (ecg200, ecg5000, twoleadecg, ecgfivedays,
 *   cricketx): the official TRAIN/TEST split where the set has one (ECG5000 here has its train file
 *   only: a stratified 80/20 split); CPC trains on the train split. kNN (cosine, k = 20) and linear
 *   probe (100% of the train labels) for CPC vs random weights vs the raw series, and two collapse
 *   signals of the test features: the embedding std and the effective rank.
 * - The CPC accuracy per k (the true z_{t+k} scores above every negative), averaged over the first
 *   and the last 10% of the steps.
 *
 * Clips/series are cropped or padded (zeros at the end) to one length: FSDD the median clip length
 * (3,360 samples), UCR sets their own length. Recipe as the CLI's (`src/recipes/cpc-recipe.ts`).
 *
 * Options: --sets fsdd,ecg5000,cricketx  --steps N (per set; default 450 for FSDD, 120 for UCR)
 *   --batch 32  --lr 2e-3  --filters, --units, --window-latents (training windows of that many
 *   latents; evaluation sees the whole clip): FSDD 64 / 64 / 24, the UCR sets the CLI's recipe
 *   (64 / 128 / the whole series) unless given  --raw-size 512  --backend wasm (the runs in
 *   BENCHMARKS.md)  --pooling mean,max (each of the comma-separated poolings evaluated on the same trained network; the first is the model's; default the recipe's, mean)  --seeds 0 (comma-separated: one
 *   run per seed)  --test-share 0.2 (a UCR set without a TEST file: the stratified share held out)
 *   --latents (two more feature sets of the same networks: `z`, g_enc's latents averaged over
 *   time, and `c+z`, that next to the mean context)  --whiten (each CPC and random feature set also
 *   whitened as `pretrain` whitens image encoders, fitted on the train split's features: `<set>+w`)
 */
import { initBackend, describeBackend, type BackendName } from '../src/backend.js';
import type { Dataset } from '../src/data/dataset.js';
import { subset } from '../src/data/subset.js';
import { loadWavFolder } from '../src/node/data/wav-folder.js';
import { loadUcr } from '../src/node/data/load-ucr.js';
import { sharedDataDir } from '../src/node/data/paths.js';
import { stratifiedSplit } from '../src/eval/stratify.js';
import { cpcRecipe, cpcSequenceData, buildCpc } from '../src/recipes/cpc-recipe.js';
import { inputLengthFor } from '../src/models/conv1d-encoder.js';
import { sequencePool, type SequencePooling } from '../src/models/gru-context.js';
import * as tf from '../src/tf.js';
import { Optimizer } from '../src/optim/optimizers.js';
import { train, type StepRecord } from '../src/train/trainer.js';
import { linearProbe } from '../src/eval/linear-probe.js';
import { knnAccuracy } from '../src/eval/knn.js';
import { embeddingStd } from '../src/eval/embedding-std.js';
import { effectiveRank } from '../src/eval/effective-rank.js';
import type { FeatureArray } from '../src/eval/features.js';
import { embedDataset } from '../src/eval/dataset-features.js';
import { applyWhitening, fitWhitening } from '../src/models/feature-whitening.js';
import { RUN_WHITENING } from '../src/node/run/save-encoder.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface Options {
  sets: string[];
  /** Steps per set; undefined: 450 for FSDD, 120 for the UCR sets. */
  steps: number | undefined;
  batch: number;
  lr: number;
  /** undefined: 64 for FSDD, the CLI recipe's for the UCR sets. */
  filters: number | undefined;
  /** undefined: 64 for FSDD, the CLI recipe's for the UCR sets. */
  units: number | undefined;
  rawSize: number;
  /** Training window in latents (input steps = receptive field + (n - 1) x stride), capped at the length; undefined: 24 for FSDD, the CLI recipe's for the UCR sets. */
  windowLatents: number | undefined;
  backend: BackendName | undefined;
  /** Poolings of the representation, each evaluated on the same trained network (the first also in training's monitor); undefined: the recipe's ('mean'). */
  pooling: SequencePooling[] | undefined;
  /** Share of a UCR set without a TEST file held out for testing (stratified). */
  testShare: number;
  /** Also evaluate the time-averaged latents z, alone and next to the mean context. */
  latents: boolean;
  /** Also evaluate each CPC and random feature set whitened as `pretrain` whitens image encoders (fitted on the train split's features). */
  whiten: boolean;
  seed: number;
  seeds: number[];
}

function parse(args: string[]): Options {
  const o: Options = {
    sets: ['fsdd', 'ecg5000', 'cricketx'],
    steps: undefined,
    batch: 32,
    lr: 2e-3,
    filters: undefined,
    units: undefined,
    rawSize: 512,
    windowLatents: undefined,
    backend: 'wasm',
    pooling: undefined,
    testShare: 0.2,
    latents: false,
    whiten: false,
    seed: 0,
    seeds: [0],
  };
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    switch (args[i]) {
      case '--sets':
        o.sets = v!.split(',');
        i++;
        break;
      case '--steps':
        o.steps = Number(v);
        i++;
        break;
      case '--batch':
        o.batch = Number(v);
        i++;
        break;
      case '--lr':
        o.lr = Number(v);
        i++;
        break;
      case '--filters':
        o.filters = Number(v);
        i++;
        break;
      case '--units':
        o.units = Number(v);
        i++;
        break;
      case '--raw-size':
        o.rawSize = Number(v);
        i++;
        break;
      case '--window-latents':
        o.windowLatents = Number(v);
        i++;
        break;
      case '--backend':
        o.backend = v as BackendName;
        i++;
        break;
      case '--test-share':
        o.testShare = Number(v);
        i++;
        break;
      case '--pooling':
        o.pooling = v!.split(',') as SequencePooling[];
        i++;
        break;
      case '--latents':
        o.latents = true;
        break;
      case '--whiten':
        o.whiten = true;
        break;
      case '--seed':
      case '--seeds':
        o.seeds = v!.split(',').map(Number);
        i++;
        break;
      default:
        throw new Error(`bench cpc: unknown option ${args[i]}`);
    }
  }
  return o;
}

/** Each whole sample (its own length, channel 0) linearly resampled to `size` points. */
async function rawResampled(data: Dataset, size: number): Promise<FeatureArray> {
  const out = new Float32Array(data.size * size);
  for (let i = 0; i < data.size; i++) {
    const s = await data.get(i);
    const t = s.shape[0]!;
    const c = s.shape[1]!;
    for (let j = 0; j < size; j++) {
      const pos = size === 1 ? 0 : (j * (t - 1)) / (size - 1);
      const a = Math.floor(pos);
      const b = Math.min(t - 1, a + 1);
      const f = pos - a;
      out[i * size + j] = (1 - f) * s.data[a * c]! + f * s.data[b * c]!;
    }
  }
  return { data: out, dim: size };
}

const pct = (x: number): string => (x * 100).toFixed(1);

interface SetResult {
  name: string;
  seed: number;
  rows: { features: string; probe: string; task: string; accuracy: number }[];
  /** Embedding std and effective rank of the test features, per feature set. */
  health: Record<string, { std: number; rank: number; dim: number }>;
  accEarly: number[];
  accLate: number[];
  secondsPerStep: number;
  trainSeconds: number;
  steps: number;
  trainSize: number;
  testSize: number;
  length: number;
}

async function runSet(name: string, options: Options, log: (l: string) => void): Promise<SetResult | undefined> {
  const o = { ...options, steps: options.steps ?? (name === 'fsdd' ? 450 : 120) };
  const shared = sharedDataDir();
  if (shared === undefined) {
    log(`${name}: skipped (no shared data folder; set CONTRASTIVE_DATA)`);
    return undefined;
  }
  let trainRaw: Dataset;
  let testRaw: Dataset;
  const tasks: { task: string; train: Int32Array; test: Int32Array }[] = [];
  if (name === 'fsdd') {
    const dir = join(shared, 'fsdd');
    if (!existsSync(dir)) return (log(`fsdd: skipped (${dir} missing)`), undefined);
    trainRaw = await loadWavFolder(dir, { split: 'train', name: 'fsdd:train' });
    testRaw = await loadWavFolder(dir, { split: 'test', name: 'fsdd:test' });
    tasks.push({ task: 'digit', train: trainRaw.labels!.values, test: testRaw.labels!.values });
    tasks.push({ task: 'speaker', train: trainRaw.extraLabels!.speaker!.values, test: testRaw.extraLabels!.speaker!.values });
  } else {
    const root = join(shared, 'ucr2018');
    const folder = existsSync(root) ? readdirSync(root).find((f) => f.toLowerCase() === name.toLowerCase()) : undefined;
    if (folder === undefined) return (log(`${name}: skipped (no ${name} in ${root})`), undefined);
    const dir = join(root, folder);
    const all = await loadUcr(dir, { split: 'train' });
    if (existsSync(join(dir, `${folder}_TEST.tsv`))) {
      trainRaw = all;
      testRaw = await loadUcr(dir, { split: 'test' });
    } else {
      const { fit, validation } = stratifiedSplit(all.labels!.values, o.testShare, 0); // one split for every seed
      trainRaw = subset(all, fit, `${folder}:train`);
      testRaw = subset(all, validation, `${folder}:test`);
    }
    tasks.push({ task: 'class', train: trainRaw.labels!.values, test: testRaw.labels!.values });
  }
  // one length for the run (the train split's median / fixed length), applied to both splits
  const prepared = await cpcSequenceData(trainRaw, { autoLength: true });
  const recipe = cpcRecipe(prepared.length, {});
  const fsdd = name === 'fsdd';
  const windowLatents = o.windowLatents ?? (fsdd ? 24 : undefined);
  const r = {
    ...recipe,
    filters: o.filters ?? (fsdd ? 64 : recipe.filters),
    units: o.units ?? (fsdd ? 64 : recipe.units),
    pooling: o.pooling?.[0] ?? recipe.pooling,
    window:
      windowLatents === undefined
        ? recipe.window
        : Math.min(prepared.length, inputLengthFor(recipe, Math.max(windowLatents, recipe.predictionSteps + 1))),
  };
  const trainData = prepared.data;
  const testData = (await cpcSequenceData(testRaw, { length: prepared.length })).data;
  log(
    `${name}: ${trainData.size} train, ${testData.size} test, length ${prepared.length}; g_enc strides [${r.strides}] kernels [${r.kernelSizes}], D ${r.filters}, GRU ${r.units}, K ${r.predictionSteps}, window ${r.window}, ${r.negatives} negatives, ${r.timeSteps} t per step, ${[r.pooling, ...(o.pooling?.slice(1) ?? [])].join(', ')} pooling`,
  );

  const method = buildCpc(r, 1, o.seed, new Optimizer({ learningRate: o.lr }));
  try {
    const t0 = performance.now();
    // the network pooled each way of --pooling: the method itself for the first, else its contexts pooled anew
    const pool = method.encoder.layers[method.encoder.layers.length - 1]!;
    const extra: { mode: string; model: tf.LayersModel }[] = (o.pooling ?? []).slice(1).map((mode) => ({
      mode,
      model: tf.model({ inputs: method.encoder.inputs, outputs: sequencePool({ mode }).apply(pool.input) as tf.SymbolicTensor }),
    }));
    if (o.latents) {
      // g_enc's output inside the pooled encoder (its node 1: node 0 is g_enc's own input)
      const z = sequencePool({ mode: 'mean' }).apply(method.latentEncoder.getOutputAt(1) as tf.SymbolicTensor) as tf.SymbolicTensor;
      const c = sequencePool({ mode: 'mean' }).apply(pool.input) as tf.SymbolicTensor;
      extra.push({ mode: 'z', model: tf.model({ inputs: method.encoder.inputs, outputs: z }) });
      extra.push({
        mode: 'c+z',
        model: tf.model({ inputs: method.encoder.inputs, outputs: tf.layers.concatenate().apply([c, z]) as tf.SymbolicTensor }),
      });
    }
    const embedAll = async (): Promise<Record<string, { train: FeatureArray; test: FeatureArray }>> => {
      const out: Record<string, { train: FeatureArray; test: FeatureArray }> = {
        '': { train: await embedDataset(method, trainData, 64), test: await embedDataset(method, testData, 64) },
      };
      for (const e of extra)
        out[`:${e.mode}`] = { train: await embedDataset(e.model, trainData, 64), test: await embedDataset(e.model, testData, 64) };
      return out;
    };
    const randomAll = await embedAll();
    const raw =
      name === 'fsdd'
        ? { train: await rawResampled(trainRaw, o.rawSize), test: await rawResampled(testRaw, o.rawSize) }
        : { train: await rawResampled(trainData, prepared.length), test: await rawResampled(testData, prepared.length) };
    log(`${name}: baseline features in ${((performance.now() - t0) / 1000).toFixed(0)} s; training ${o.steps} steps of ${o.batch}`);
    const records: StepRecord[] = [];
    const t1 = performance.now();
    await train({
      method,
      data: trainData,
      batchSize: o.batch,
      steps: o.steps,
      seed: o.seed,
      onStep: (rec) => {
        records.push(rec);
        if (rec.step % 25 === 0)
          log(
            `  step ${rec.step}: loss ${rec.loss.toFixed(3)}, CPC accuracy k=1 ${pct(rec.acc1 ?? NaN)}%, mean over k ${pct(rec.accuracy ?? NaN)}%`,
          );
      },
    });
    const trainSeconds = (performance.now() - t1) / 1000;
    const secondsPerStep = trainSeconds / records.length;
    const cpcAll = await embedAll();
    // the extra models are not disposed: their layers but the pooling (no weights) are the method's,
    // which method.dispose() frees, and tfjs-layers' dispose of a model sharing nested models throws
    const k = r.predictionSteps;
    const tenth = Math.max(1, Math.round(records.length / 10));
    const meanAcc = (recs: StepRecord[], j: number): number => recs.reduce((a, x) => a + (x[`acc${j}`] ?? 0), 0) / recs.length;
    const accEarly = Array.from({ length: k }, (_, j) => meanAcc(records.slice(0, tenth), j + 1));
    const accLate = Array.from({ length: k }, (_, j) => meanAcc(records.slice(-tenth), j + 1));
    const rows: SetResult['rows'] = [];
    const sets: Record<string, { train: FeatureArray; test: FeatureArray }> = {};
    for (const suffix of Object.keys(cpcAll)) sets[`cpc${suffix}`] = cpcAll[suffix]!;
    for (const suffix of Object.keys(randomAll)) sets[`random${suffix}`] = randomAll[suffix]!;
    if (o.whiten)
      for (const [fname, f] of Object.entries(sets)) {
        const w = await fitWhitening(f.train, { shrinkage: RUN_WHITENING.shrinkage });
        const apply = async (x: FeatureArray): Promise<FeatureArray> => {
          const t = tf.tensor2d(x.data, [x.data.length / x.dim, x.dim]);
          const y = applyWhitening(t, w);
          const out = { data: (await y.data()) as Float32Array, dim: x.dim };
          tf.dispose([t, y]);
          return out;
        };
        sets[`${fname}+w`] = { train: await apply(f.train), test: await apply(f.test) };
      }
    sets.raw = raw;
    const health: SetResult['health'] = {};
    for (const [fname, f] of Object.entries(sets)) {
      health[fname] = { std: await embeddingStd(f.test), rank: await effectiveRank(f.test), dim: f.test.dim };
      log(
        `  ${fname} test features: embedding std ${health[fname].std.toFixed(4)}, effective rank ${health[fname].rank.toFixed(1)} of ${f.test.dim}`,
      );
    }
    for (const t of tasks) {
      for (const [fname, f] of Object.entries(sets)) {
        const lin = await linearProbe(f.train, t.train, f.test, t.test, { seed: o.seed });
        rows.push({ features: fname, probe: 'linear', task: t.task, accuracy: lin.accuracy });
        if (name !== 'fsdd')
          rows.push({
            features: fname,
            probe: 'knn',
            task: t.task,
            accuracy: await knnAccuracy(f.train, t.train, f.test, t.test, { k: 20 }),
          });
        log(
          `  ${t.task} ${fname}: ${rows
            .filter((x) => x.features === fname && x.task === t.task)
            .map((x) => `${x.probe} ${pct(x.accuracy)}%`)
            .join(', ')}`,
        );
      }
    }
    return {
      name,
      seed: o.seed,
      rows,
      health,
      accEarly,
      accLate,
      secondsPerStep,
      trainSeconds,
      steps: records.length,
      trainSize: trainData.size,
      testSize: testData.size,
      length: prepared.length,
    };
  } finally {
    method.dispose();
    await trainRaw.close?.();
    await testRaw.close?.();
  }
}

export async function main(args: string[]): Promise<void> {
  const o = parse(args);
  const log = (l: string): void => void process.stderr.write(l + '\n');
  const backend = await initBackend(o.backend);
  log(`bench cpc: ${describeBackend(backend)}; ${JSON.stringify(o)}`);
  const results: SetResult[] = [];
  for (const name of o.sets) {
    for (const seed of o.seeds) {
      const r = await runSet(name, { ...o, seed }, log);
      if (r !== undefined) results.push(r);
    }
  }
  for (const r of results) {
    console.log(
      `\n### ${r.name}, seed ${r.seed}: ${r.trainSize} train / ${r.testSize} test, length ${r.length}, ${r.steps} steps of ${o.batch} in ${r.trainSeconds.toFixed(0)} s (${r.secondsPerStep.toFixed(2)} s/step)\n`,
    );
    const tasks = [...new Set(r.rows.map((x) => `${x.task} ${x.probe}`))];
    const features = Object.keys(r.health); // cpc, cpc:<pooling>..., random, random:<pooling>..., raw
    console.log(`| task, probe | ${features.join(' | ')} |`);
    console.log(`|---|${features.map(() => '---').join('|')}|`);
    for (const tp of tasks) {
      const get = (f: string): string => pct(r.rows.find((x) => `${x.task} ${x.probe}` === tp && x.features === f)!.accuracy) + '%';
      console.log(`| ${tp} | ${features.map(get).join(' | ')} |`);
    }
    const h = (f: string): string => `std ${r.health[f]!.std.toFixed(3)}, rank ${r.health[f]!.rank.toFixed(1)}/${r.health[f]!.dim}`;
    console.log(`| test features: embedding std, effective rank | ${features.map(h).join(' | ')} |`);
    console.log(`\nCPC accuracy per k (first 10% of steps -> last 10%):\n`);
    console.log(`| k | ${r.accEarly.map((_, j) => j + 1).join(' | ')} |`);
    console.log(`|---|${r.accEarly.map(() => '---').join('|')}|`);
    console.log(`| early | ${r.accEarly.map(pct).join(' | ')} |`);
    console.log(`| late | ${r.accLate.map(pct).join(' | ')} |`);
  }
}
