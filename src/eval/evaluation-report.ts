/**
 * The evaluation report that `contrastive eval --json` prints, its typed builder, and
 * `evaluateRepresentation`, which computes all of it from features:
 *
 * { "linear": {"1%": acc, "10%": acc, "100%": acc}, "knn": {...}, "knn200": {"100%": acc},
 *   "knnEmbedding": {...} (kNN on the head's output z, where there is one),
 *   "spread": { "linear": {"1%": std, "10%": std}, "knn": {...} }, "labelSubsets": 5,
 *   "knnProtocol": { "k": 20, "temperature": 0.07, ..., "paper": { "k": 200, ... } },
 *   "kmeans": {"nmi": x, "ari": y}, "alignment": a, "uniformity": u,
 *   "baselines": { "pixels": { "linear": {...}, "knn": {...}, "knn200": {...} }, "random": {...} } }
 *
 * Accuracies are fractions in [0, 1]; `alignment`/`uniformity` are null when no positive pairs
 * were given.
 */
import { ConfigError } from '../errors.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { describe } from '../validate.js';
import { alignmentUniformity, type AlignmentUniformity, type AlignmentUniformityOptions } from './alignment-uniformity.js';
import { toTensor, type Features } from './features.js';
import { kmeans } from './kmeans.js';
import {
  compareLabelEfficiency,
  DEFAULT_LABEL_SUBSETS,
  type AccuracyByFraction,
  type FeatureSet,
  type LabelEfficiencyCommonOptions,
  type LabelEfficiencyResult,
} from './label-efficiency.js';
import { ari, nmi } from './metrics.js';
import { KNN_PAPER_PROTOCOL, KNN_PROTOCOL, type KnnProtocol } from './knn-protocol.js';

/** Agreement of k-means clusters (k = number of classes) with the test labels. */
export interface ClusteringScores {
  nmi: number;
  ari: number;
}

export interface EvaluationReport {
  /** Linear-probe accuracy of the trained representation per label fraction. */
  linear: AccuracyByFraction;
  /** kNN accuracy of the trained representation per label fraction (protocol: `knnProtocol`). */
  knn: AccuracyByFraction;
  /** NPID's k = 200 kNN where enough rows are labelled (`knnProtocol.paper`); absent otherwise. */
  knn200?: AccuracyByFraction;
  /** Standard deviation of `linear` and `knn` over the labelled subsets below 100% (`labelSubsets` of them); absent with one subset. */
  spread?: { linear: AccuracyByFraction; knn: AccuracyByFraction };
  /** kNN (the `knnProtocol`) on the projection head's output z, beside `knn` on h, where the run saved its head. */
  knnEmbedding?: AccuracyByFraction;
  /** Labelled subsets averaged at each fraction below 100%. */
  labelSubsets: number;
  /** The protocols behind `knn` and `knn200`. */
  knnProtocol: KnnProtocol & { paper: KnnProtocol & { minLabelledRows: number } };
  kmeans: ClusteringScores;
  /** Wang & Isola alignment on held-out positive pairs (lower is better); null when not measured. */
  alignment: number | null;
  /** Wang & Isola uniformity (lower is better); null when not measured. */
  uniformity: number | null;
  /** The same probes on baseline feature sets, e.g. `pixels`, `random`. */
  baselines: Record<string, LabelEfficiencyResult>;
}

/** The parts a report is made of. */
export interface EvaluationReportParts {
  trained: LabelEfficiencyResult;
  kmeans: ClusteringScores;
  alignmentUniformity?: AlignmentUniformity | null;
  baselines?: Record<string, LabelEfficiencyResult>;
  /** The main kNN protocol, when `knn` options replaced KNN_PROTOCOL. @default KNN_PROTOCOL */
  knnProtocol?: KnnProtocol;
  /** Labelled subsets averaged at each fraction below 100%. @default DEFAULT_LABEL_SUBSETS (5) */
  labelSubsets?: number;
}

function checkAccuracies(acc: unknown, arg: string): void {
  if (acc === null || typeof acc !== 'object')
    throw new ConfigError('buildEvaluationReport', arg, `must be an object of accuracies, got ${describe(acc)}`);
  for (const [k, v] of Object.entries(acc)) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new ConfigError('buildEvaluationReport', `${arg}.${k}`, `must be an accuracy in [0, 1], got ${describe(v)}`);
  }
}

/** Assembles (and checks) the report in the key order the CLI prints. */
export function buildEvaluationReport(parts: EvaluationReportParts): EvaluationReport {
  const fn = 'buildEvaluationReport';
  if (parts === null || typeof parts !== 'object') throw new ConfigError(fn, 'parts', `must be an object, got ${describe(parts)}`);
  checkAccuracies(parts.trained?.linear, 'trained.linear');
  checkAccuracies(parts.trained?.knn, 'trained.knn');
  if (parts.trained.knn200 !== undefined) checkAccuracies(parts.trained.knn200, 'trained.knn200');
  for (const [name, b] of Object.entries(parts.baselines ?? {})) {
    checkAccuracies(b?.linear, `baselines.${name}.linear`);
    checkAccuracies(b?.knn, `baselines.${name}.knn`);
    if (b?.knn200 !== undefined) checkAccuracies(b.knn200, `baselines.${name}.knn200`);
  }
  const { nmi: n, ari: a } = parts.kmeans ?? {};
  if (typeof n !== 'number' || typeof a !== 'number')
    throw new ConfigError(fn, 'kmeans', `must be { nmi, ari } numbers, got ${describe(parts.kmeans)}`);
  const au = parts.alignmentUniformity ?? null;
  const copy = (r: LabelEfficiencyResult): LabelEfficiencyResult => ({
    linear: { ...r.linear },
    knn: { ...r.knn },
    ...(r.knn200 !== undefined ? { knn200: { ...r.knn200 } } : {}),
    ...(r.spread !== undefined ? { spread: { linear: { ...r.spread.linear }, knn: { ...r.spread.knn } } } : {}),
    ...(r.knnEmbedding !== undefined ? { knnEmbedding: { ...r.knnEmbedding } } : {}),
  });
  return {
    ...copy(parts.trained),
    labelSubsets: parts.labelSubsets ?? DEFAULT_LABEL_SUBSETS,
    knnProtocol: { ...(parts.knnProtocol ?? KNN_PROTOCOL), paper: { ...KNN_PAPER_PROTOCOL } },
    kmeans: { nmi: n, ari: a },
    alignment: au === null ? null : au.alignment,
    uniformity: au === null ? null : au.uniformity,
    baselines: Object.fromEntries(Object.entries(parts.baselines ?? {}).map(([k, v]) => [k, copy(v)])),
  };
}

export interface EvaluateRepresentationOptions extends LabelEfficiencyCommonOptions {
  /** Labels of the train and test rows (shared by every feature set). */
  labels: { train: Int32Array; test: Int32Array };
  /** The representation being evaluated: train `[N, D]` and test `[M, D]` features, and the embedding kNN reads where there is one (`FeatureSet`). */
  trained: FeatureSet;
  /** Baseline feature sets of the same rows, e.g. `{ pixels: {...}, random: {...} }`. @default {} */
  baselines?: Record<string, FeatureSet>;
  /** Features of two views of held-out samples (row i of x and y: a positive pair). @default none: alignment and uniformity are null */
  positivePairs?: { x: Features; y: Features };
  /** Alignment/uniformity options. */
  alignmentUniformity?: AlignmentUniformityOptions;
  /** k-means on the trained test features. @default restarts 3, iterations 100 */
  kmeans?: { restarts?: number; iterations?: number };
}

/**
 * The whole evaluation of a representation: label efficiency (linear probe and kNN at each label
 * fraction) of the trained features and of each baseline, k-means (k = number of classes, on the
 * L2-normalised trained test features) scored by NMI and ARI against the test labels, and
 * alignment/uniformity on the positive pairs when given.
 *
 * @example
 * const report = await evaluateRepresentation({
 *   labels: { train: yTrain, test: yTest },
 *   trained: { train: hTrain, test: hTest },
 *   baselines: { pixels: { train: xTrain, test: xTest }, random: { train: rTrain, test: rTest } },
 *   positivePairs: { x: hView1, y: hView2 },
 * });
 * console.log(JSON.stringify(report));
 */
export async function evaluateRepresentation(options: EvaluateRepresentationOptions): Promise<EvaluationReport> {
  const fn = 'evaluateRepresentation';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const { labels, trained, baselines = {}, positivePairs, seed = 0 } = options;
  if ('trained' in baselines) throw new ConfigError(fn, 'baselines', "must not use the name 'trained' (reserved for the representation)");
  const all = await compareLabelEfficiency({ ...options, featureSets: { trained, ...baselines } });
  const { trained: trainedResult, ...baselineResults } = all;
  let numClasses = options.numClasses ?? 0;
  if (options.numClasses === undefined)
    for (const y of [labels.train, labels.test]) for (let i = 0; i < y.length; i++) numClasses = Math.max(numClasses, y[i]! + 1);
  const t = toTensor(trained.test);
  const unit = l2Normalize(t.tensor);
  if (t.owned) t.tensor.dispose();
  let clusters;
  try {
    clusters = await kmeans(unit, { k: Math.min(numClasses, unit.shape[0]), seed, ...options.kmeans });
  } finally {
    unit.dispose();
  }
  const au =
    positivePairs === undefined
      ? null
      : await alignmentUniformity(positivePairs.x, positivePairs.y, { seed, ...options.alignmentUniformity });
  return buildEvaluationReport({
    trained: trainedResult!,
    kmeans: { nmi: nmi(clusters.assignments, labels.test), ari: ari(clusters.assignments, labels.test) },
    alignmentUniformity: au,
    baselines: baselineResults,
    knnProtocol: { ...KNN_PROTOCOL, ...options.knn, source: options.knn === undefined ? KNN_PROTOCOL.source : 'options.knn' },
    labelSubsets: options.subsets ?? DEFAULT_LABEL_SUBSETS,
  });
}
