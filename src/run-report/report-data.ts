/**
 * The report's data model: everything `report.html` shows, as plain JSON-serialisable values.
 * Built from a run folder's files (`buildReportData`), then rendered into one self-contained page
 * (`renderReportHtml`). Browser-safe: no file system here (Node reads the files, `src/node/run-report/`).
 */
import type { TemperatureSweep } from './temperature-sweep.js';

/** One training step: loss and learning rate (from metrics.jsonl). */
export interface ReportStep {
  step: number;
  loss: number;
  lr: number;
}

/** One epoch: mean loss and the kNN monitor's accuracy (from epochs.jsonl). */
export interface ReportEpoch {
  epoch: number;
  loss: number;
  /** kNN top-1 accuracy on the held-out monitor slice; null when the run had no monitor. */
  knn: number | null;
}

/** Accuracy against the share of labels used, one series per representation and probe. */
export interface ReportLabelEfficiency {
  /** Label fractions, in order (`['1%', '10%', '100%']`). */
  fractions: string[];
  /** `name` is `<representation> <probe>` (`encoder linear`, `pixels knn`, `random knn`). */
  series: { name: string; values: (number | null)[] }[];
}

/** One evaluated checkpoint on Wang & Isola's alignment-uniformity plane (both lower is better). */
export interface ReportAlignmentPoint {
  name: string;
  alignment: number;
  uniformity: number;
}

/** A 2-D UMAP of test embeddings: point i at (x[i], y[i]) of class labels[i]. */
export interface ReportUmap {
  x: number[];
  y: number[];
  labels: number[];
  classNames: string[];
}

/** One sample drawn in the retrieval grid. */
export interface ReportSample {
  label: number;
  /** Images: bytes 0..255, row-major `[H, W, C]`; sequences `[T, C]` and vectors `[D]`: values. */
  values: number[];
  /** Cosine similarity to the query (neighbours only). */
  similarity?: number;
}

/** Query samples from the test split with their nearest neighbours in embedding space. */
export interface ReportRetrieval {
  kind: 'image' | 'sequence' | 'vector';
  /** Shape of one sample. */
  shape: number[];
  classNames: string[];
  queries: { query: ReportSample; neighbours: ReportSample[] }[];
}

/** A run's headline facts. */
export interface ReportSummary {
  method?: string;
  data?: string;
  backend?: string;
  threads?: number;
  /** Training wall time in seconds (all sessions of a resumed run). */
  wallSeconds?: number;
  steps?: number;
  epochs?: number;
  created?: string;
}

/** The temperature sweep the run belongs to (`temperature-sweep.ts`), with the run's own τ. */
export interface ReportTemperature extends TemperatureSweep {
  /** This run's τ (from config.json), when the run is one of the sweep's. */
  current?: number;
}

export interface ReportData {
  /** The run's name (its folder). */
  title: string;
  /** When the page was written (ISO time). */
  generated: string;
  summary: ReportSummary;
  /** config.json as it is; null when missing or unreadable. */
  config: Record<string, unknown> | null;
  steps: ReportStep[];
  epochs: ReportEpoch[];
  labelEfficiency: ReportLabelEfficiency | null;
  alignmentUniformity: ReportAlignmentPoint[];
  umap: ReportUmap | null;
  retrieval: ReportRetrieval | null;
  /** Present when the run's folder sits in a temperature sweep's folder. */
  temperature: ReportTemperature | null;
  /** What is missing or damaged, one sentence each; the page shows them at the top. */
  problems: string[];
}
