/**
 * `contrastive eval --run runs/<name> --data <spec> [--limit N] [--json]`: label efficiency
 * (linear probe and kNN at 1%, 10%, 100% of the train labels, scored on the test split) of the
 * trained encoder and of two baselines (raw pixels, the same encoder at its random
 * initialisation), k-means NMI/ARI, and alignment/uniformity on two augmented views of test
 * samples. Both probes read the representation h; where the run saved its projection head
 * (head/, head-random/), kNN also runs on the embedding z = g(h) (`knnEmbedding`). `--json` prints
 * exactly one JSON object on stdout; progress goes to stderr.
 * Unlabelled data (an image folder without class subfolders): alignment, uniformity, the
 * collapse signal and k-means cluster sizes and inertia instead (eval-unlabelled.json).
 */
import { join } from 'node:path';
import * as tf from '../../tf.js';
import { initBackend, describeBackend } from '../../backend.js';
import { subset } from '../../data/subset.js';
import { evaluateRepresentation, type EvaluationReport } from '../../eval/evaluation-report.js';
import type { FeatureArray } from '../../eval/features.js';
import type { FeatureSet } from '../../eval/label-efficiency.js';
import { formatLabelEfficiencyTable } from '../../eval/format-table.js';
import { loadSplits } from '../data/load-splits.js';
import { RunFolder } from './run-folder.js';
import { loadModel } from './model-io.js';
import { writeFileAtomic } from './atomic-write.js';
import { EVAL_FILE } from '../run-report/read-run-texts.js';
import { Rng } from '../../random.js';
import { DataError } from '../../errors.js';
import type { Recipe } from '../../recipes/recipe.js';
import { buildAugmentation } from '../../augment/build-augmentation.js';
import { fitSequenceLength } from '../../recipes/cpc-recipe.js';
import { embedDataset, embedThrough, rawFeatures } from '../../eval/dataset-features.js';
import { withoutWhitening } from '../../models/feature-whitening.js';
import { assertRunInputShape, runDataOptions, runRecipeAndData } from './run-data.js';
import type { Dataset } from '../../data/dataset.js';
import { evaluateUnlabelled, formatUnlabelledReport, type UnlabelledReport } from '../../eval/unlabelled-report.js';

export interface EvalOptions {
  run: string;
  /** Data spec; defaults to the run's. */
  data?: string;
  /** Cap on train rows (stratified). */
  limit?: number;
  /** Cap on test rows (stratified). */
  testLimit?: number;
  /** Positive pairs for alignment/uniformity. @default 1000 */
  pairs?: number;
  json?: boolean;
  quiet?: boolean;
  seed?: number;
  /** Also probe raw pixels and the random encoder. @default true */
  baselines?: boolean;
  /** Unlabelled data: k-means clusters. @default 10 */
  clusters?: number;
  /** Labelled subsets averaged at each fraction below 100%. @default DEFAULT_LABEL_SUBSETS (5) */
  labelSubsets?: number;
}

/**
 * The run's projection heads, trained and at initialisation (`head`, `head-random`); null for runs
 * without them (CPC, CMC, runs made before heads were saved).
 */
async function loadHeads(run: RunFolder): Promise<{ trained: tf.LayersModel; random: tf.LayersModel } | null> {
  if (!(await run.hasModel('head')) || !(await run.hasModel('randomHead'))) return null;
  const trained = await loadModel(run.path('head'));
  try {
    return { trained, random: await loadModel(run.path('randomHead')) };
  } catch (err) {
    trained.dispose();
    throw err;
  }
}

/** Evaluates a run on labelled data (a DataError for unlabelled data: see runEvaluation). */
export async function runEval(o: EvalOptions): Promise<EvaluationReport> {
  const r = await runEvaluation(o);
  if ('rows' in r) throw new DataError('eval', o.data ?? "the run's data", 'has no labels: this evaluation needs class labels');
  return r;
}

/**
 * Features of two augmented views (the run's augmentation) of the first `o.pairs` held-out
 * samples: the positive pairs of alignment and uniformity.
 */
async function positivePairFeatures(
  encoder: Parameters<typeof embedDataset>[0],
  test: Dataset,
  recipe: Recipe,
  o: EvalOptions,
): Promise<{ x: FeatureArray; y: FeatureArray }> {
  const nPairs = Math.min(o.pairs ?? 1000, test.size);
  const pairData = subset(
    test,
    Int32Array.from({ length: nPairs }, (_, i) => i),
  );
  const aug = buildAugmentation(recipe);
  const rng = new Rng((o.seed ?? 0) + 12345);
  const x = await embedDataset(encoder, pairData, 256, { augmentation: aug, rng });
  const y = await embedDataset(encoder, pairData, 256, { augmentation: aug, rng });
  return { x, y };
}

/** Evaluates a run as the command does: label efficiency on labelled data, else the unlabelled report. */
export async function runEvaluation(o: EvalOptions): Promise<EvaluationReport | UnlabelledReport> {
  const log = (l: string): void => {
    if (o.quiet !== true) process.stderr.write(l + '\n');
  };
  const run = new RunFolder(o.run);
  const { recipe, runOptions, spec } = await runRecipeAndData(run, o.data, 'eval');
  const dataOpts = runDataOptions(runOptions);
  const splits = await loadSplits(
    spec,
    {
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(o.testLimit !== undefined ? { testLimit: o.testLimit } : {}),
      ...(dataOpts.imageSize !== undefined ? { imageSize: dataOpts.imageSize as number } : {}),
      ...(dataOpts.folderLabels !== undefined ? { folderLabels: dataOpts.folderLabels } : {}),
      ...(dataOpts.resize !== undefined ? { resize: dataOpts.resize } : {}),
      seed: o.seed ?? 0,
    },
    log,
  );
  const train = fitSequenceLength(splits.train, recipe); // sequences: the run's length
  const test = fitSequenceLength(splits.test, recipe);
  if (train.labels === undefined || test.labels === undefined) return runUnlabelledEval(o, run, recipe, test, log);
  assertRunInputShape(train, recipe, 'eval', spec);
  const backend = await initBackend();
  log(`contrastive: ${describeBackend(backend)}`);
  log(`eval: ${train.size} train, ${test.size} test samples`);
  const encoder = await loadModel(run.path('encoder'));
  const random = await loadModel(run.path('randomEncoder'));
  let heads: Awaited<ReturnType<typeof loadHeads>> = null;
  try {
    heads = await loadHeads(run);
    const t0 = performance.now();
    const features = async (enc: tf.LayersModel, head: tf.LayersModel | undefined): Promise<FeatureSet> => {
      // the head reads h as it was trained on it, before the saved encoder's whitening
      const h = head !== undefined ? withoutWhitening(enc) : undefined;
      return {
        train: await embedDataset(enc, train),
        test: await embedDataset(enc, test),
        ...(head !== undefined && h !== undefined
          ? { embedding: { train: await embedThrough(h, head, train), test: await embedThrough(h, head, test) } }
          : {}),
      };
    };
    const trained = await features(encoder, heads?.trained);
    const baselines: Record<string, FeatureSet> =
      o.baselines === false
        ? {}
        : {
            pixels: { train: await rawFeatures(train), test: await rawFeatures(test) },
            random: await features(random, heads?.random),
          };
    const { x: viewX, y: viewY } = await positivePairFeatures(encoder, test, recipe, o);
    log(`features in ${((performance.now() - t0) / 1000).toFixed(1)} s; probing...`);
    const report = await evaluateRepresentation({
      labels: { train: train.labels.values, test: test.labels.values },
      trained,
      baselines,
      positivePairs: { x: viewX, y: viewY },
      seed: o.seed ?? 0,
      ...(o.labelSubsets !== undefined ? { subsets: o.labelSubsets } : {}),
      onProgress: (p) => {
        if (p.accuracy !== undefined)
          log(
            `  ${p.featureSet.padEnd(8)} ${p.probe.padEnd(6)} ${p.fraction.padStart(4)} (${p.trainRows} labels): ${(p.accuracy * 100).toFixed(1)}%`,
          );
      },
    });
    log(`eval done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // kept in the run folder for `contrastive report` (label-efficiency chart, alignment/uniformity point)
    await writeFileAtomic(join(o.run, EVAL_FILE), JSON.stringify(report, null, 2) + '\n');
    return report;
  } finally {
    encoder.dispose();
    random.dispose();
    heads?.trained.dispose();
    heads?.random.dispose();
  }
}

/**
 * Unlabelled data: alignment, uniformity, the collapse signal and k-means cluster sizes and
 * inertia of the trained encoder on the held-out split, kept in the run folder as
 * eval-unlabelled.json.
 */
async function runUnlabelledEval(
  o: EvalOptions,
  run: RunFolder,
  recipe: Recipe,
  test: Dataset,
  log: (l: string) => void,
): Promise<UnlabelledReport> {
  assertRunInputShape(test, recipe, 'eval', o.data ?? "the run's data");
  const backend = await initBackend();
  log(`contrastive: ${describeBackend(backend)}`);
  log(`eval: unlabelled data, ${test.size} held-out samples (no probes: alignment, uniformity, collapse signal, k-means)`);
  const encoder = await loadModel(run.path('encoder'));
  try {
    const features = await embedDataset(encoder, test);
    const { x, y } = await positivePairFeatures(encoder, test, recipe, o);
    const report = await evaluateUnlabelled({
      features,
      positivePairs: { x, y },
      ...(o.clusters !== undefined ? { k: o.clusters } : {}),
      seed: o.seed ?? 0,
    });
    await writeFileAtomic(join(o.run, 'eval-unlabelled.json'), JSON.stringify(report, null, 2) + '\n');
    return report;
  } finally {
    encoder.dispose();
  }
}

/** The human-readable form of a report. */
export function formatReport(r: EvaluationReport | UnlabelledReport): string {
  if ('rows' in r) return formatUnlabelledReport(r);
  const table = formatLabelEfficiencyTable({
    pixels: r.baselines.pixels!,
    random: r.baselines.random!,
    trained: { linear: r.linear, knn: r.knn },
  });
  const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
  const below = Object.keys(r.spread?.linear ?? {});
  const spread =
    r.spread === undefined || below.length === 0
      ? []
      : [
          `below 100%: mean of ${r.labelSubsets} labelled subsets; their standard deviation for the trained encoder: ` +
            below
              .map((k) => `linear ${k} ${(100 * r.spread!.linear[k]!).toFixed(1)}, kNN ${k} ${(100 * r.spread!.knn[k]!).toFixed(1)}`)
              .join('; '),
        ];
  const pct = (a: Record<string, number>): string =>
    Object.values(a)
      .map((v) => (100 * v).toFixed(1))
      .join(' / ');
  const randomZ = r.baselines.random?.knnEmbedding;
  const space =
    r.knnEmbedding === undefined
      ? []
      : [
          `kNN on the embedding z (the projection head's output, which the loss compares) at ${Object.keys(r.knnEmbedding).join(' / ')}: ` +
            `trained ${pct(r.knnEmbedding)}${randomZ !== undefined ? `, random ${pct(randomZ)}` : ''}`,
        ];
  return [
    table,
    ...spread,
    ...space,
    '',
    `k-means on trained test features: NMI ${r.kmeans.nmi.toFixed(3)}, ARI ${r.kmeans.ari.toFixed(3)}`,
    `alignment ${f(r.alignment)} (lower is better), uniformity ${f(r.uniformity)} (lower is better)`,
  ].join('\n');
}
