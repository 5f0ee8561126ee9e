/**
 * `npm start`: the whole product in under 5 minutes on a 2-core machine. Pretrains SimCLR on the
 * bundled Fashion-MNIST for a number of steps sized to a time budget (`pretrain --minutes`: from a
 * step measured on this machine's best backend before training, re-sized from the run's own pace
 * during the run), evaluates the encoder (linear probe and kNN at 1%, 10%, 100% of
 * the labels, against raw pixels and the same encoder with random weights), prints the table,
 * then writes the run's report.html, after the evaluation so that the page has its
 * label-efficiency chart.
 *
 * Environment: CONTRASTIVE_START_BUDGET=<seconds> sets the training budget (default 120).
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { initBackend, describeBackend } from '../backend.js';
import type { EvaluationReport } from '../eval/evaluation-report.js';
import { writeRunReport, type WriteRunReportOptions, type WriteRunReportResult } from '../node/run-report/write-run-report.js';
import { DEFAULT_TEMPERATURE, type HeadKind, type Recipe } from '../recipes/recipe.js';
import { runPretrain, type PretrainOptions } from '../node/run/pretrain-run.js';
import { progress } from './progress.js';
import { formatReport, runEval } from '../node/run/eval-run.js';

/**
 * SimCLR's τ for `npm start`'s two-minute budget: 0.2 (solo-learn's CIFAR setting) instead of the
 * CLI's 0.5 (the paper's, for long runs). Chosen by `npm run bench -- start-recipe` (BENCHMARKS.md,
 * "npm start"): at 371 steps τ 0.2 beat both baselines in 5 and 4 of the six cells (seeds 0, 1)
 * against 3 and 3 for τ 0.5; the matrix's τ sweep at 300 steps also favoured τ 0.05-0.2 on kNN.
 */
export const START_TEMPERATURE = 0.2;

/** The augmentation preset of `npm start`: the grey-image preset with brightness and contrast jitter. */
export const START_AUGMENTATION = 'small-grey-jitter';

/**
 * The recipe of `npm start`'s model (SimCLR, small CNN with BatchNorm after every convolution, on
 * the pooled features and in the head), as pretrain builds it: what the step measurement before
 * training and `npm run bench -- start-step` time.
 */
export function startRecipe(
  o: Pick<StartOptions, 'method' | 'objective' | 'temperature' | 'augmentation' | 'limit' | 'head'> = {},
): Recipe {
  const method = o.method ?? 'simclr';
  const temperature = o.temperature ?? (method === 'simclr' ? START_TEMPERATURE : DEFAULT_TEMPERATURE[method]);
  if (temperature === undefined)
    throw new ConfigError('startRecipe', 'method', `one of ${Object.keys(DEFAULT_TEMPERATURE).join(', ')}, got '${method}'`);
  return {
    method,
    arch: 'small-cnn',
    inputShape: [28, 28, 1],
    kind: 'image',
    width: 64,
    augmentation: o.augmentation ?? START_AUGMENTATION,
    flip: true,
    temperature,
    projectionDim: 128,
    head: o.head ?? 'mlp',
    headBatchNorm: true,
    encoderBatchNorm: true,
    featureBatchNorm: true,
    seed: 0,
    // NPID's memory bank has a row per training image (at most the 60,000 npm start reads)
    ...(method === 'npid' ? { bankSize: o.limit ?? 60000, ...(o.objective !== undefined ? { objective: o.objective } : {}) } : {}),
  };
}

export interface StartOptions {
  /** The method (its proxy task and target function; the recipe study's variants). @default 'simclr' */
  method?: string;
  /** NPID's objective. @default pretrain's ('nce') */
  objective?: 'nce' | 'softmax';
  /** Training budget in seconds; the step count is sized to it. @default 120 (CONTRASTIVE_START_BUDGET) */
  budgetSeconds?: number;
  /** Train exactly this many steps instead of sizing them to the budget (tests). */
  steps?: number;
  /** Pairs per step. @default 256 */
  batchSize?: number;
  /** The projection head (the recipe study's variants). @default 'mlp' */
  head?: HeadKind;
  /** SimCLR's τ. @default START_TEMPERATURE (0.2) */
  temperature?: number;
  /** Adam's learning rate. @default defaultLr('adam', batch): 1e-3 */
  lr?: number;
  /** Augmentation preset (AUGMENTATION_PRESETS). @default 'small-grey-jitter' */
  augmentation?: string;
  /** Seed of the weights, data order and augmentation (the probes' labelled subsets keep theirs). @default 0 */
  seed?: number;
  /** Cap on the training images. @default 60000 (all) on a budget; min(60000, max(10000, steps x batch)) with `steps` */
  limit?: number;
  /** Labelled train images the probes learn from. @default 4000 */
  evalTrain?: number;
  /** Test images the probes are scored on. @default 1000 */
  evalTest?: number;
  /** Test images whose two views measure alignment/uniformity. @default 1000 */
  pairs?: number;
  /** The run folder (emptied first). @default runs/start */
  out?: string;
  /** Options of the report's embedding sections (test embeddings, UMAP). @default the report's */
  report?: Omit<WriteRunReportOptions, 'out'>;
  /** Where progress lines go. @default console.log */
  log?: (line: string) => void;
  /** Silences the pretrain and eval progress on stderr. @default false */
  quiet?: boolean;
}

export interface StartResult {
  eval: EvaluationReport;
  /** Seconds the pre-training took. */
  trainSeconds: number;
  /** The report written after the evaluation, or null when it could not be written (the reason was logged). */
  report: WriteRunReportResult | null;
  out: string;
}

/** Pretrains, evaluates, then writes the report: what `npm start` runs. */
export async function runStart(o: StartOptions = {}): Promise<StartResult> {
  const t0 = performance.now();
  const secs = (): string => ((performance.now() - t0) / 1000).toFixed(0);
  const log = o.log ?? ((l: string) => console.log(l));
  const budget = o.budgetSeconds ?? 120;
  const batch = o.batchSize ?? 256;
  const evalTrain = o.evalTrain ?? 4000;
  const evalTest = o.evalTest ?? 1000;
  const info = await initBackend();
  log(`contrastive: ${describeBackend(info)}`);

  const steps = o.steps;
  if (steps === undefined) {
    log(
      `npm start: SimCLR on the bundled Fashion-MNIST, small CNN, batch ${batch}; about ${Math.round(budget)} s of training sized ` +
        `to this machine (from a measured step, then from the run's own pace as it goes), then evaluation on ${evalTrain} train / ` +
        `${evalTest} test images and the report (target: under 5 minutes in all)`,
    );
  }

  const out = o.out ?? join('runs', 'start');
  rmSync(out, { recursive: true, force: true });
  const method = o.method ?? 'simclr';
  const options: PretrainOptions = {
    method,
    ...(o.objective !== undefined ? { objective: o.objective } : {}),
    data: 'fashion-mnist',
    split: 'train',
    limit: o.limit ?? (steps === undefined ? 60000 : Math.min(60000, Math.max(10000, steps * batch))),
    arch: 'small-cnn',
    ...(steps === undefined ? { minutes: budget / 60 } : { steps }),
    batchSize: batch,
    optimizer: 'adam',
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    augmentation: o.augmentation ?? START_AUGMENTATION,
    weightDecay: 1e-6,
    clipNorm: 0,
    seed: o.seed ?? 0,
    temperature: startRecipe(o).temperature,
    ...(o.head !== undefined ? { head: o.head } : {}),
    width: 64,
    out,
    resume: false,
    flip: true,
    monitor: 0,
    report: false, // written below, once eval.json exists
    ...(o.quiet === true ? { quiet: true } : {}),
  };
  const { result } = await runPretrain(options, undefined, progress());
  log(
    `trained ${result.steps} steps in ${result.seconds.toFixed(0)} s (final loss ${result.lastLoss.toFixed(3)}); evaluating... (${secs()} s so far)`,
  );
  const evalReport = await runEval({
    run: out,
    data: 'fashion-mnist',
    limit: evalTrain,
    testLimit: evalTest,
    pairs: o.pairs ?? 1000,
    ...(o.quiet === true ? { quiet: true } : {}),
  });
  log('');
  log(
    `Label efficiency on Fashion-MNIST (${evalTest} test images; probes trained on 1%, 10%, 100% of ${evalTrain} labelled train images), accuracy %:`,
  );
  log(formatReport(evalReport));
  log('');

  let report: WriteRunReportResult | null = null;
  try {
    report = await writeRunReport(out, o.report ?? {});
    const notes = report.problems.length > 0 ? `; notes: ${report.problems.join('; ')}` : '';
    log(`report: ${report.path} (${(report.bytes / 1024).toFixed(0)} kB${notes})`);
  } catch (err) {
    log(`report: not written (${(err as Error).message.split('\n')[0]}); run \`contrastive report --run ${out}\``);
  }
  log(
    `total ${secs()} s on backend ${info.name} (${info.threads} threads). The run is in ${out}/ (config.json, metrics.jsonl, eval.json, encoder/, report.html).`,
  );
  return { eval: evalReport, trainSeconds: result.seconds, report, out };
}

// `node dist/cli/start.js` (npm start) runs it; importing this module (tests) does not
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runStart({ budgetSeconds: Number(process.env.CONTRASTIVE_START_BUDGET ?? 120) });
}
