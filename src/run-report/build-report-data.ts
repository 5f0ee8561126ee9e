/**
 * Builds the report's data model from the texts of a run folder's files. Whatever is missing or
 * damaged becomes a sentence in `problems` and an empty section; everything readable is kept.
 */
import type {
  ReportAlignmentPoint,
  ReportData,
  ReportEpoch,
  ReportLabelEfficiency,
  ReportRetrieval,
  ReportStep,
  ReportSummary,
  ReportTemperature,
  ReportUmap,
} from './report-data.js';
import { parseJsonl } from './parse-jsonl.js';
import { parseTemperatureSweep, TEMPERATURE_SWEEP_FILE } from './temperature-sweep.js';

/** The run folder's files as text; `undefined` where the file is absent. */
export interface RunTexts {
  /** The run's name (shown as the title). */
  title: string;
  /** config.json */
  config?: string;
  /** metrics.jsonl */
  metrics?: string;
  /** epochs.jsonl */
  epochs?: string;
  /** eval.json, written by `contrastive eval` */
  eval?: string;
  /** temperature-sweep.json of the folder that holds the run, when there is one */
  sweep?: string;
}

/** Sections computed from the encoder (Node: `src/node/run-report/`), added as they are. */
export interface ReportExtras {
  umap?: ReportUmap | null;
  retrieval?: ReportRetrieval | null;
  /** Checkpoints evaluated on two augmented views of test samples. @default [] */
  alignmentUniformity?: ReportAlignmentPoint[];
  /** More problems found while computing them. @default [] */
  problems?: string[];
  /** Time stamp of the page. @default now */
  generated?: string;
  /** Most points of the loss curve: longer runs are averaged over bins of consecutive steps. @default 4000 */
  maxStepPoints?: number;
}

/** Bins of consecutive steps averaged to at most `max` points (loss: bin mean; step, lr: the bin's last). */
export function binSteps(steps: ReportStep[], max: number): ReportStep[] {
  if (steps.length <= max) return steps;
  const size = Math.ceil(steps.length / max);
  const out: ReportStep[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const bin = steps.slice(i, i + size);
    out.push({ step: bin.at(-1)!.step, loss: bin.reduce((a, r) => a + r.loss, 0) / bin.length, lr: bin.at(-1)!.lr });
  }
  return out;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseObject(text: string, file: string, problems: string[]): Record<string, unknown> | null {
  try {
    const v = obj(JSON.parse(text));
    if (v !== undefined) return v;
    problems.push(`${file} is not a JSON object; it was ignored`);
  } catch (err) {
    problems.push(`${file} is not valid JSON (${(err as Error).message}); it was ignored`);
  }
  return null;
}

function summaryOf(config: Record<string, unknown> | null, steps: ReportStep[], epochs: ReportEpoch[]): ReportSummary {
  const s: ReportSummary = {};
  const options = obj(config?.options);
  const recipe = obj(config?.recipe);
  const data = obj(config?.data);
  const result = obj(config?.result);
  const backend = obj(result?.backend) ?? obj(config?.backend);
  const method = str(recipe?.method) ?? str(options?.method);
  if (method !== undefined) s.method = method;
  const dataName = str(data?.name) ?? str(options?.data);
  if (dataName !== undefined) s.data = dataName;
  const b = str(backend?.name);
  if (b !== undefined) s.backend = b;
  const threads = num(backend?.threads);
  if (threads !== undefined) s.threads = threads;
  const seconds = num(result?.seconds);
  if (seconds !== undefined) s.wallSeconds = seconds;
  const nSteps = num(result?.steps) ?? steps.at(-1)?.step;
  if (nSteps !== undefined) s.steps = nSteps;
  const nEpochs = num(result?.epochs) ?? (epochs.length > 0 ? epochs.length : undefined);
  if (nEpochs !== undefined) s.epochs = nEpochs;
  const created = str(config?.created);
  if (created !== undefined) s.created = created;
  return s;
}

function labelEfficiencyOf(report: Record<string, unknown>, problems: string[]): ReportLabelEfficiency | null {
  const linear = obj(report.linear);
  const knn = obj(report.knn);
  if (linear === undefined || knn === undefined) {
    problems.push('eval.json has no linear/knn accuracies: the label-efficiency chart is empty');
    return null;
  }
  const fractions = Object.keys(linear);
  const series: ReportLabelEfficiency['series'] = [];
  const add = (name: string, acc: Record<string, unknown> | undefined): void => {
    if (acc !== undefined) series.push({ name, values: fractions.map((f) => num(acc[f]) ?? null) });
  };
  add('encoder linear', linear);
  add('encoder knn', knn);
  for (const [name, b] of Object.entries(obj(report.baselines) ?? {})) {
    add(`${name} linear`, obj(obj(b)?.linear));
    add(`${name} knn`, obj(obj(b)?.knn));
  }
  return { fractions, series };
}

/** The report's data from a run folder's texts and the computed sections. */
export function buildReportData(texts: RunTexts, extras: ReportExtras = {}): ReportData {
  const problems: string[] = [];
  let config: Record<string, unknown> | null = null;
  if (texts.config === undefined) problems.push("config.json is missing: the run's settings, backend and wall time are unknown");
  else config = parseObject(texts.config, 'config.json', problems);

  const steps: ReportStep[] = [];
  if (texts.metrics === undefined) problems.push('metrics.jsonl is missing: no loss or learning-rate curve');
  else {
    const parsed = parseJsonl(texts.metrics, 'metrics.jsonl');
    problems.push(...parsed.problems);
    for (const r of parsed.records) {
      const step = num(r.step);
      const loss = num(r.loss);
      if (step !== undefined && loss !== undefined) steps.push({ step, loss, lr: num(r.lr) ?? NaN });
    }
    if (steps.length === 0) problems.push('metrics.jsonl holds no step with a finite loss');
  }

  const epochs: ReportEpoch[] = [];
  if (texts.epochs === undefined) problems.push('epochs.jsonl is missing: no kNN monitor curve');
  else {
    const parsed = parseJsonl(texts.epochs, 'epochs.jsonl');
    problems.push(...parsed.problems);
    for (const r of parsed.records) {
      const epoch = num(r.epoch);
      const loss = num(r.loss);
      if (epoch !== undefined && loss !== undefined) epochs.push({ epoch, loss, knn: num(r.knn) ?? null });
    }
  }

  let labelEfficiency: ReportLabelEfficiency | null = null;
  const alignmentUniformity = [...(extras.alignmentUniformity ?? [])];
  if (texts.eval === undefined)
    problems.push('eval.json is missing: run `contrastive eval --run <this folder>` for the label-efficiency chart');
  else {
    const report = parseObject(texts.eval, 'eval.json', problems);
    if (report !== null) {
      labelEfficiency = labelEfficiencyOf(report, problems);
      const a = num(report.alignment);
      const u = num(report.uniformity);
      if (a !== undefined && u !== undefined) alignmentUniformity.push({ name: 'encoder (contrastive eval)', alignment: a, uniformity: u });
    }
  }
  let temperature: ReportTemperature | null = null;
  if (texts.sweep !== undefined) {
    const sweep = parseTemperatureSweep(texts.sweep, TEMPERATURE_SWEEP_FILE, problems);
    const tau = num(obj(config?.recipe)?.temperature);
    if (sweep !== null)
      temperature = { ...sweep, ...(tau !== undefined && sweep.points.some((p) => p.run === texts.title) ? { current: tau } : {}) };
  }
  problems.push(...(extras.problems ?? []));
  return {
    title: texts.title,
    generated: extras.generated ?? new Date().toISOString(),
    summary: summaryOf(config, steps, epochs),
    config,
    steps: binSteps(steps, extras.maxStepPoints ?? 4000),
    epochs,
    labelEfficiency,
    alignmentUniformity,
    umap: extras.umap ?? null,
    retrieval: extras.retrieval ?? null,
    temperature,
    problems,
  };
}
