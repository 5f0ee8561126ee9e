/**
 * Label efficiency: how well a representation classifies when only a fraction of the train labels
 * is kept (the point of self-supervised pre-training). For each fraction, a class-stratified subset
 * of the labelled train rows (same share of every class, at least one row per class; seeded, and
 * nested: the 1% subset lies inside the 10% one of the same seed) trains a linear probe and a kNN
 * classifier, both scored on the whole test split.
 *
 * Below 100% the figure is the mean over several subsets (`subsets`, default 5, with seeds seed,
 * seed + 1, ...), as semi-supervised papers report their 40-label results over 5 draws (FixMatch,
 * arXiv:2001.07685): which 40 of 4,000 images carry a label moves kNN accuracy by up to 10 points
 * on Fashion-MNIST (BENCHMARKS.md, Evaluation), more than most effects being compared. The
 * standard deviation over the draws is in `spread`.
 */
import { ConfigError } from '../errors.js';
import { assertFinite, assertInteger, describe } from '../validate.js';
import {
  assertFeatures,
  assertLabels,
  assertSameDim,
  featureValues,
  selectLabels,
  selectRows,
  type Features,
  type LabelledFeatures,
} from './features.js';
import { knnAccuracy, type KnnOptions } from './knn.js';
import { KNN_PAPER_PROTOCOL, KNN_PROTOCOL, knnOptions } from './knn-protocol.js';
import { linearProbe, type LinearProbeOptions } from './linear-probe.js';
import { stratifiedSubset } from './stratify.js';

/** Accuracy in [0, 1] per label fraction, keyed `"1%"`, `"10%"`, `"100%"`. */
export type AccuracyByFraction = Record<string, number>;

/** Linear-probe and kNN accuracies per label fraction. */
export interface LabelEfficiencyResult {
  linear: AccuracyByFraction;
  /** kNN with `options.knn` (default KNN_PROTOCOL: k = 20, σ = 0.07) at every fraction. */
  knn: AccuracyByFraction;
  /** NPID's k = 200, σ = 0.1 at the fractions with at least KNN_PAPER_PROTOCOL.minLabelledRows labelled rows (absent when none has, or `paperKnn` is false). */
  knn200?: AccuracyByFraction;
  /** Standard deviation of `linear` and `knn` over the labelled subsets, at the fractions below 100% (absent when `subsets` is 1). */
  spread?: { linear: AccuracyByFraction; knn: AccuracyByFraction };
  /** kNN (the main protocol) on the feature set's embedding, where it gave one (a method's z): beside `knn`, not instead. */
  knnEmbedding?: AccuracyByFraction;
}

/**
 * A feature set: the representation of the train and test rows, which both probes read, and
 * optionally an embedding of the same rows, on which kNN runs too (`knnEmbedding`): the projection
 * head's output z, the space the method's target function compares by cosine similarity (NPID's
 * kNN reads its 128-d embedding, arXiv:1805.01978; DINO and solo-learn read the backbone's). Which
 * space gives the better neighbours depends on the data and the recipe (BENCHMARKS.md,
 * Evaluation: z by 3-8 points at 1% on Fashion-MNIST at τ 0.2, h by up to 3 on a CIFAR-10 subset
 * at τ 0.5), so both are reported and `knn` stays on the representation.
 */
export interface FeatureSet {
  train: Features;
  test: Features;
  /** The embedding of the same rows (`[N, E]`, `[M, E]`): kNN on it is reported as `knnEmbedding`. @default none */
  embedding?: { train: Features; test: Features };
}

/** Which probe is running, for progress lines. */
export interface LabelEfficiencyProgress {
  /** The feature set (for `compareLabelEfficiency`; `''` for `labelEfficiency`). */
  featureSet: string;
  probe: 'linear' | 'knn';
  /** e.g. `"10%"`. */
  fraction: string;
  /** Labelled train rows used. */
  trainRows: number;
  /** Accuracy, when the probe has finished (undefined when it starts). */
  accuracy?: number;
  /** Which labelled subset (0-based) of `draws`, below 100% when more than one is drawn. */
  draw?: number;
  /** Labelled subsets drawn at this fraction (absent when one). */
  draws?: number;
}

export interface LabelEfficiencyCommonOptions {
  /** Shares of the train labels kept, each in (0, 1]. @default [0.01, 0.1, 1] */
  fractions?: number[];
  /** Seed of the labelled subsets and of the probe's cross-validation folds. @default 0 */
  seed?: number;
  /**
   * Labelled subsets drawn at each fraction below 100% (seeds seed, seed + 1, ...); the figure is
   * their mean. @default 5 (the 5 draws of semi-supervised papers' 40-label results, FixMatch)
   */
  subsets?: number;
  /** Number of classes C. @default the largest label in train or test + 1 */
  numClasses?: number;
  /** kNN options (k, temperature) of the main kNN figure. @default KNN_PROTOCOL: k = 20, σ = 0.07 (DINO) */
  knn?: Omit<KnnOptions, 'numClasses'>;
  /** Also NPID's k = 200, σ = 0.1 (`knn200`) where enough rows are labelled (KNN_PAPER_PROTOCOL). @default true */
  paperKnn?: boolean;
  /** Linear-probe options (L2 grid, iterations). @default see `linearProbe` */
  linear?: Omit<LinearProbeOptions, 'numClasses' | 'seed'>;
  /** Called when each probe starts and when it ends (with its accuracy). */
  onProgress?: (p: LabelEfficiencyProgress) => void;
}

export interface LabelEfficiencyOptions extends LabelEfficiencyCommonOptions {
  /** Labelled train split: features `[N, D]` and labels. */
  train: LabelledFeatures;
  /** Labelled test split: features `[M, D]` and labels. */
  test: LabelledFeatures;
}

/** `0.01` -> `"1%"`, `0.1` -> `"10%"`, `1` -> `"100%"`, `0.005` -> `"0.5%"`. */
export function fractionLabel(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

function checkFractions(fractions: unknown, fn: string): number[] {
  if (!Array.isArray(fractions) || fractions.length === 0)
    throw new ConfigError(fn, 'fractions', `must be a non-empty array of numbers in (0, 1], got ${describe(fractions)}`);
  fractions.forEach((f, i) => {
    assertFinite(f, fn, `fractions[${i}]`);
    if (f <= 0 || f > 1) throw new ConfigError(fn, `fractions[${i}]`, `must be in (0, 1], got ${f}`);
  });
  return fractions as number[];
}

/** Mean and standard deviation (population) of a few accuracies. */
function meanAndStd(values: number[]): [number, number] {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)];
}

/** Labelled subsets per fraction below 100%. */
export const DEFAULT_LABEL_SUBSETS = 5;

function checkSubsets(subsets: unknown, fn: string): number {
  if (subsets === undefined) return DEFAULT_LABEL_SUBSETS;
  assertInteger(subsets, fn, 'subsets');
  return subsets;
}

async function run(
  featureSet: string,
  train: LabelledFeatures,
  test: LabelledFeatures,
  opts: LabelEfficiencyCommonOptions & { numClasses: number; fractions: number[]; seed: number; subsets: number },
  embedding?: { train: Features; test: Features },
): Promise<LabelEfficiencyResult> {
  const result: LabelEfficiencyResult = { linear: {}, knn: {}, ...(embedding !== undefined ? { knnEmbedding: {} } : {}) };
  const [, d] = assertFeatures(train.features, 'labelEfficiency', 'train.features');
  const subsetting = opts.fractions.some((f) => f < 1);
  const values = subsetting ? await featureValues(train.features) : undefined;
  const e = embedding === undefined ? 0 : assertFeatures(embedding.train, 'labelEfficiency', 'embedding.train')[1];
  const embeddingValues = embedding !== undefined && subsetting ? await featureValues(embedding.train) : undefined;
  for (const fraction of opts.fractions) {
    const key = fractionLabel(fraction);
    const draws = fraction < 1 ? opts.subsets : 1;
    const accuracies = { linear: [] as number[], knn: [] as number[], knn200: [] as number[], knnEmbedding: [] as number[] };
    for (let draw = 0; draw < draws; draw++) {
      let features: Features = train.features;
      let embedded: Features | undefined = embedding?.train;
      let labels = train.labels;
      if (fraction < 1) {
        const rows = stratifiedSubset(train.labels, fraction, opts.seed + draw);
        features = selectRows(values!, d, rows);
        if (embedding !== undefined) embedded = selectRows(embeddingValues!, e, rows);
        labels = selectLabels(train.labels, rows);
      }
      const report = (probe: 'linear' | 'knn', accuracy?: number) =>
        opts.onProgress?.({
          featureSet,
          probe,
          fraction: key,
          trainRows: labels.length,
          ...(draws > 1 ? { draw, draws } : {}),
          ...(accuracy === undefined ? {} : { accuracy }),
        });
      report('linear');
      const probe = await linearProbe(features, labels, test.features, test.labels, {
        ...opts.linear,
        numClasses: opts.numClasses,
        seed: opts.seed + draw,
      });
      accuracies.linear.push(probe.accuracy);
      report('linear', probe.accuracy);
      report('knn');
      const knnOn = (trainRows: Features, testRows: Features) =>
        knnAccuracy(trainRows, labels, testRows, test.labels, { ...knnOptions(KNN_PROTOCOL), ...opts.knn, numClasses: opts.numClasses });
      const knn = await knnOn(features, test.features);
      accuracies.knn.push(knn);
      report('knn', knn);
      if (embedding !== undefined) accuracies.knnEmbedding.push(await knnOn(embedded!, embedding.test));
      if (opts.paperKnn !== false && labels.length >= KNN_PAPER_PROTOCOL.minLabelledRows) {
        accuracies.knn200.push(
          await knnAccuracy(features, labels, test.features, test.labels, {
            ...knnOptions(KNN_PAPER_PROTOCOL),
            numClasses: opts.numClasses,
          }),
        );
      }
    }
    const [linear, linearStd] = meanAndStd(accuracies.linear);
    const [knn, knnStd] = meanAndStd(accuracies.knn);
    result.linear[key] = linear;
    result.knn[key] = knn;
    if (accuracies.knn200.length > 0) (result.knn200 ??= {})[key] = meanAndStd(accuracies.knn200)[0];
    if (result.knnEmbedding !== undefined) result.knnEmbedding[key] = meanAndStd(accuracies.knnEmbedding)[0];
    if (draws > 1) {
      result.spread ??= { linear: {}, knn: {} };
      result.spread.linear[key] = linearStd;
      result.spread.knn[key] = knnStd;
    }
  }
  return result;
}

/** Checks a train/test pair of features and labels; `names` are the argument names for errors. Returns the class count seen. */
function checkSplits(
  fn: string,
  train: LabelledFeatures,
  test: LabelledFeatures,
  names: [string, string, string, string],
  numClasses?: number,
): number {
  const [n, d] = assertFeatures(train?.features, fn, names[0]);
  const [m, dt] = assertFeatures(test?.features, fn, names[2]);
  assertSameDim(d, dt, fn, names[2], names[0]);
  if (numClasses !== undefined) assertInteger(numClasses, fn, 'numClasses');
  return Math.max(assertLabels(train.labels, n, fn, names[1], numClasses), assertLabels(test.labels, m, fn, names[3], numClasses));
}

/**
 * Linear-probe and kNN accuracy for each label fraction.
 *
 * @example
 * const r = await labelEfficiency({ train: { features: trainH, labels: yTrain }, test: { features: testH, labels: yTest } });
 * r.linear['1%']; // 0.71
 */
export async function labelEfficiency(options: LabelEfficiencyOptions): Promise<LabelEfficiencyResult> {
  const fn = 'labelEfficiency';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const { train, test, fractions = [0.01, 0.1, 1], seed = 0 } = options;
  const classes = checkSplits(fn, train, test, ['train.features', 'train.labels', 'test.features', 'test.labels'], options.numClasses);
  assertFinite(seed, fn, 'seed');
  const subsets = checkSubsets(options.subsets, fn);
  return run('', train, test, {
    ...options,
    numClasses: options.numClasses ?? classes,
    fractions: checkFractions(fractions, fn),
    seed,
    subsets,
  });
}

/** Several feature sets of the same samples (e.g. `pixels`, `random`, `trained`). */
export interface CompareLabelEfficiencyOptions extends LabelEfficiencyCommonOptions {
  /** Labels of the train and test rows, shared by every feature set. */
  labels: { train: Int32Array; test: Int32Array };
  /** Name -> train `[N, D_name]` and test `[M, D_name]` features (and optionally an embedding for `knnEmbedding`, `FeatureSet`); rows in the order of `labels`. */
  featureSets: Record<string, FeatureSet>;
}

/**
 * `labelEfficiency` for several feature sets side by side (same labelled subsets for all), in the
 * order of `featureSets`' keys. Feed the result to `formatLabelEfficiencyTable`.
 */
export async function compareLabelEfficiency(options: CompareLabelEfficiencyOptions): Promise<Record<string, LabelEfficiencyResult>> {
  const fn = 'compareLabelEfficiency';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const { labels, featureSets, fractions = [0.01, 0.1, 1], seed = 0 } = options;
  if (featureSets === null || typeof featureSets !== 'object' || Object.keys(featureSets).length === 0) {
    throw new ConfigError(fn, 'featureSets', `must name at least one feature set, got ${describe(featureSets)}`);
  }
  let classes = 0;
  for (const [name, set] of Object.entries(featureSets)) {
    const names: [string, string, string, string] = [
      `featureSets.${name}.train`,
      'labels.train',
      `featureSets.${name}.test`,
      'labels.test',
    ];
    classes = Math.max(
      classes,
      checkSplits(
        fn,
        { features: set?.train, labels: labels?.train },
        { features: set?.test, labels: labels?.test },
        names,
        options.numClasses,
      ),
    );
    if (set.embedding !== undefined) {
      checkSplits(
        fn,
        { features: set.embedding?.train, labels: labels?.train },
        { features: set.embedding?.test, labels: labels?.test },
        [`featureSets.${name}.embedding.train`, 'labels.train', `featureSets.${name}.embedding.test`, 'labels.test'],
        options.numClasses,
      );
    }
  }
  assertFinite(seed, fn, 'seed');
  const opts = {
    ...options,
    numClasses: options.numClasses ?? classes,
    fractions: checkFractions(fractions, fn),
    seed,
    subsets: checkSubsets(options.subsets, fn),
  };
  const out: Record<string, LabelEfficiencyResult> = {};
  for (const [name, set] of Object.entries(featureSets)) {
    out[name] = await run(
      name,
      { features: set.train, labels: labels.train },
      { features: set.test, labels: labels.test },
      opts,
      set.embedding,
    );
  }
  return out;
}
