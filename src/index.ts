/**
 * contrastive: contrastive self-supervised learning on TensorFlow.js.
 * The public surface, grouped by concept. Everything here runs in Node and in browsers;
 * file-system and worker-thread helpers are under `contrastive/node`.
 */

// ── Engine ────────────────────────────────────────────────────────────────────
export * as tf from './tf.js';
export { initBackend, backendInfo, describeBackend, registerBackendProvider, BACKEND_NAMES } from './backend.js';
export type { BackendName, BackendInfo, BackendProvider } from './backend.js';

// ── Errors ────────────────────────────────────────────────────────────────────
export { ContrastiveError, ShapeError, ConfigError, DataError, BackendError } from './errors.js';

// ── Losses ────────────────────────────────────────────────────────────────────

// ── Augmentations ─────────────────────────────────────────────────────────────

// ── Data ──────────────────────────────────────────────────────────────────────

// ── Models ────────────────────────────────────────────────────────────────────

// ── Methods ───────────────────────────────────────────────────────────────────
// Memory bank
export { MemoryBank } from './memory/memory-bank.js';
export type { MemoryBankOptions, MemoryBankState, SampleOptions } from './memory/memory-bank.js';
// NPID
export { npid, Npid, bankKnnAccuracy, NPID_OBJECTIVES } from './methods/npid.js';
export type { NpidOptions, NpidObjective } from './methods/npid.js';
export { npidNceLoss, estimateNceNormalizer } from './memory/npid-nce.js';
export type { NpidNceOptions } from './memory/npid-nce.js';
export { nonParametricSoftmaxLoss } from './memory/non-parametric-softmax.js';
export type { NonParametricSoftmaxOptions } from './memory/non-parametric-softmax.js';
// InvaSpread
export { invaSpread } from './methods/inva-spread.js';
export type { InvaSpreadMethodOptions } from './methods/inva-spread.js';
export { invaSpreadLoss } from './losses/inva-spread.js';
export type { InvaSpreadOptions } from './losses/inva-spread.js';

// ── Training ──────────────────────────────────────────────────────────────────

// ── Evaluation ────────────────────────────────────────────────────────────────
export type { Features, FeatureArray, LabelledFeatures } from './eval/features.js';
export { knnAccuracy, knnClassifier, KnnClassifier } from './eval/knn.js';
export type { KnnOptions } from './eval/knn.js';
export { linearProbe } from './eval/linear-probe.js';
export type { LinearProbeOptions, LinearProbeResult, L2Trial } from './eval/linear-probe.js';
export { kmeans } from './eval/kmeans.js';
export type { KmeansOptions, KmeansResult } from './eval/kmeans.js';
export { accuracy, confusionMatrix, nmi, ari } from './eval/metrics.js';
export type { LabelArray } from './eval/metrics.js';
export { alignmentUniformity } from './eval/alignment-uniformity.js';
export type { AlignmentUniformity, AlignmentUniformityOptions } from './eval/alignment-uniformity.js';
export { stratifiedSubset, stratifiedSplit } from './eval/stratify.js';
export { labelEfficiency, compareLabelEfficiency, fractionLabel } from './eval/label-efficiency.js';
export type {
  AccuracyByFraction,
  LabelEfficiencyResult,
  LabelEfficiencyOptions,
  LabelEfficiencyCommonOptions,
  LabelEfficiencyProgress,
  CompareLabelEfficiencyOptions,
} from './eval/label-efficiency.js';
export { formatLabelEfficiencyTable } from './eval/format-table.js';
export type { LabelEfficiencyTableOptions } from './eval/format-table.js';
export { evaluateRepresentation, buildEvaluationReport } from './eval/report.js';
export type { EvaluationReport, EvaluationReportParts, EvaluateRepresentationOptions, ClusteringScores } from './eval/report.js';
