/**
 * The shared body of `npm run bench -- simclr | npid | invaspread`: each method is trained on
 * Fashion-MNIST (the 60k train split from ../shared/data, or CONTRASTIVE_DATA) through the
 * product's own path, `contrastive pretrain` with the CLI's defaults (the encoder, head,
 * augmentation and temperature a user gets), for the same number of steps, then evaluated by
 * `contrastive eval` on the 10k test split: linear probe and kNN at 1%, 10%, 100% of the labels,
 * next to raw pixels and the same encoder with random weights. Checks that every method beats both
 * baselines on both probes at 1% and 10% labels (a bench may ask for less: `BenchCheck`). Prints
 * the table, one JSON line, and writes `<out>/summary.json`.
 *
 * Options: --methods simclr,npid-nce,npid-softmax,invaspread | --budget <s> or --minutes <m> (training
 * time per method, turned into steps with a short probe run of the first method; default 1800 s) | --steps N |
 * --epochs N, --batch 256, --limit N (pre-training rows), --eval-limit N (labelled train rows of
 * the probes, stratified), --test-limit N, --pairs N, --lr X, --seed 0, --out runs/bench-<name>,
 * --merge a.json,b.json (print one table from saved summaries; runs may be split over processes),
 * --reeval (skip pre-training: evaluate the encoders an earlier run of the same command left in
 * <out>/<method>/, keeping its training figures from bench.json; for a change of the evaluation).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initBackend, describeBackend } from '../src/backend.js';
import { sharedDataDir } from '../src/node/data/paths.js';
import { runPretrain, type PretrainOptions } from '../src/node/run/pretrain-run.js';
import { runEval } from '../src/node/run/eval-run.js';
import { stepsForBudget } from '../src/train/steps-for-budget.js';
import { formatLabelEfficiencyTable } from '../src/eval/format-table.js';
import type { LabelEfficiencyResult } from '../src/eval/label-efficiency.js';
import type { EvaluationReport } from '../src/eval/evaluation-report.js';

/** The runs this bench knows: a method of the CLI and its options. */
export const BENCH_METHODS = {
  simclr: { method: 'simclr' },
  'npid-nce': { method: 'npid', objective: 'nce' },
  'npid-softmax': { method: 'npid', objective: 'softmax' },
  invaspread: { method: 'invaspread' },
  // proxy task x target function (bench/matrix.ts): the image pairings of src/recipes/pairing.ts
  'simclr-infonce': { method: 'simclr', loss: 'infonce' },
  'simclr-dcl': { method: 'simclr', loss: 'dcl' },
  'simclr-triplet': { method: 'simclr', loss: 'triplet' },
  'simclr-align-uniform': { method: 'simclr', loss: 'align-uniform' },
  'simclr-invaspread': { method: 'simclr', loss: 'invaspread' },
  'simclr-crops2': { method: 'simclr', crops: 2 },
  'invaspread-ntxent': { method: 'invaspread', loss: 'ntxent' },
  moco: { method: 'moco', negatives: 'queue' },
  'npid-infonce': { method: 'npid', loss: 'infonce' },
  // NT-Xent's temperature (bench/temperature.ts)
  'simclr-t0.05': { method: 'simclr', temperature: 0.05 },
  'simclr-t0.1': { method: 'simclr', temperature: 0.1 },
  'simclr-t0.2': { method: 'simclr', temperature: 0.2 },
  'simclr-t0.5': { method: 'simclr', temperature: 0.5 },
  'simclr-t1': { method: 'simclr', temperature: 1 },
  'simclr-t2': { method: 'simclr', temperature: 2 },
} as const satisfies Record<string, Pick<PretrainOptions, 'method' | 'objective' | 'loss' | 'negatives' | 'crops' | 'temperature'>>;
export type BenchMethod = keyof typeof BENCH_METHODS;

export interface MethodResult {
  steps: number;
  epochs: number;
  msPerStep: number;
  trainSeconds: number;
  evalSeconds: number;
  lastLoss: number;
  monitor: (number | undefined)[];
  /** NPID: bytes of the memory bank (one float32 row of 128 per training instance). */
  bankBytes?: number;
  report: EvaluationReport;
}

export interface Summary {
  backend: { name: string; threads: number };
  data: string;
  trainSize: number;
  batch: number;
  baselines: Record<string, LabelEfficiencyResult>;
  methods: Partial<Record<BenchMethod, MethodResult>>;
  checks: Record<string, boolean>;
  pass: boolean;
  wallSeconds: number;
  /** The folder that holds the runs (a merge: --out, else the first summary's folder). */
  out: string;
}

/** What a bench checks: each method beats each of these baselines on both probes at these label shares. */
export interface BenchCheck {
  baselines: readonly string[];
  fractions: readonly string[];
}

/** The method benches' check: both baselines (raw pixels, the random encoder) at 1% and 10% labels. */
export const BEAT_BOTH_BASELINES: BenchCheck = { baselines: ['pixels', 'random'], fractions: ['1%', '10%'] };

/** Whether each method beats each baseline of `check` on both probes at its label shares. */
function checksOf(s: Pick<Summary, 'baselines' | 'methods'>, check: BenchCheck): Record<string, boolean> {
  const checks: Record<string, boolean> = {};
  for (const [name, r] of Object.entries(s.methods)) {
    for (const probe of ['linear', 'knn'] as const) {
      for (const f of check.fractions) {
        for (const base of check.baselines) {
          const b = s.baselines[base];
          if (b !== undefined) checks[`${name} ${probe} ${f} > ${base}`] = r!.report[probe][f]! > b[probe][f]!;
        }
      }
    }
  }
  return checks;
}

function print(s: Summary): void {
  const rows: Record<string, LabelEfficiencyResult> = { ...s.baselines };
  for (const [name, r] of Object.entries(s.methods)) rows[name] = { linear: r!.report.linear, knn: r!.report.knn };
  console.log(formatLabelEfficiencyTable(rows));
  console.log('');
  console.log('| method | steps | epochs | ms/step | train s | eval s | last loss | bank | k-means NMI | alignment | uniformity |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, r] of Object.entries(s.methods)) {
    const bank = r!.bankBytes === undefined ? '' : `${(r!.bankBytes / 2 ** 20).toFixed(1)} MiB`;
    const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
    console.log(
      `| ${name} | ${r!.steps} | ${r!.epochs} | ${r!.msPerStep.toFixed(0)} | ${r!.trainSeconds} | ${r!.evalSeconds} | ${r!.lastLoss.toFixed(3)} | ${bank} | ${r!.report.kmeans.nmi.toFixed(3)} | ${f(r!.report.alignment)} | ${f(r!.report.uniformity)} |`,
    );
  }
  for (const [k, v] of Object.entries(s.checks)) console.log(`${v ? 'PASS' : 'FAIL'} ${k}`);
}

export async function benchMethods(
  args: string[],
  defaults: BenchMethod[],
  name: string,
  check: BenchCheck = BEAT_BOTH_BASELINES,
): Promise<Summary> {
  const opt = (flag: string): string | undefined => {
    const i = args.indexOf(`--${flag}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (flag: string): number | undefined => {
    const v = opt(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bench ${name}: --${flag} must be a positive number, got '${v}'`);
    return n;
  };
  const merge = opt('merge');
  if (merge !== undefined) {
    const files = merge.split(',');
    const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Summary);
    const merged: Summary = { ...parts[0]!, baselines: {}, methods: {}, wallSeconds: 0, out: opt('out') ?? dirname(files[0]!) };
    for (const p of parts) {
      Object.assign(merged.baselines, p.baselines);
      Object.assign(merged.methods, p.methods);
      merged.wallSeconds += p.wallSeconds;
    }
    merged.checks = checksOf(merged, check);
    merged.pass = Object.values(merged.checks).every(Boolean);
    print(merged);
    return merged;
  }
  const methods = (opt('methods') ?? defaults.join(',')).split(',').filter((m) => m !== '') as BenchMethod[];
  for (const m of methods)
    if (!(m in BENCH_METHODS)) throw new Error(`bench ${name}: --methods takes ${Object.keys(BENCH_METHODS).join(',')}, got '${m}'`);
  // --minutes M is --budget 60 x M (one budget, the same sizing below)
  if (num('minutes') !== undefined && num('budget') !== undefined) throw new Error(`bench ${name}: give --minutes or --budget, not both`);
  const budget = num('minutes') !== undefined ? num('minutes')! * 60 : (num('budget') ?? 1800);
  const batch = num('batch') ?? 256;
  const seed = Number(opt('seed') ?? 0);
  const out = opt('out') ?? join('runs', `bench-${name}`);
  const shared = sharedDataDir();
  const fm = shared !== undefined && existsSync(join(shared, 'fashion-mnist')) ? `idx:${join(shared, 'fashion-mnist')}` : 'fashion-mnist';
  const t0 = performance.now();
  const info = await initBackend();
  console.log(`bench ${name}: ${describeBackend(info)}; data ${fm}; methods ${methods.join(', ')}`);

  const common = (key: BenchMethod, dir: string): PretrainOptions => ({
    ...BENCH_METHODS[key],
    data: fm,
    split: 'train',
    ...(num('limit') !== undefined ? { limit: num('limit')! } : {}),
    batchSize: batch,
    optimizer: 'adam',
    ...(num('lr') !== undefined ? { lr: num('lr')! } : {}),
    weightDecay: 1e-6,
    clipNorm: 0,
    seed,
    width: 64,
    out: dir,
    resume: false,
    flip: true,
    report: false,
  });
  let steps = num('steps');
  const epochs = num('epochs');
  const reeval = args.includes('--reeval');
  if (steps === undefined && epochs === undefined && !reeval) {
    // the step time of the first method, measured by a short run of the same command
    const probeDir = join(out, '_probe');
    rmSync(probeDir, { recursive: true, force: true });
    const probe = await runPretrain({ ...common(methods[0]!, probeDir), steps: 8, monitor: 0, quiet: true });
    const s = probe.result.seconds / probe.result.steps;
    rmSync(probeDir, { recursive: true, force: true });
    steps = stepsForBudget(budget, s, { minSteps: 50 });
    console.log(`step time ${s.toFixed(2)} s (${methods[0]}, 8 steps) -> ${steps} steps for a ${budget} s budget per method`);
  }

  let baselines: Record<string, LabelEfficiencyResult> | undefined;
  const results: Partial<Record<BenchMethod, MethodResult>> = {};
  let trainSize = 0;
  let backend = { name: info.name as string, threads: info.threads };
  for (const key of methods) {
    const dir = join(out, key);
    console.log(`\n== ${key} ==`);
    let trained: Omit<MethodResult, 'evalSeconds' | 'report'>;
    if (reeval) {
      const saved = join(dir, 'bench.json');
      if (!existsSync(saved)) throw new Error(`bench ${name}: --reeval needs ${saved} from an earlier run of this command`);
      const { evalSeconds: _e, report: _r, ...rest } = JSON.parse(readFileSync(saved, 'utf8')) as MethodResult;
      trained = rest;
      trainSize = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { data: { trainSize: number } }).data.trainSize;
    } else {
      rmSync(dir, { recursive: true, force: true });
      const pre = await runPretrain({ ...common(key, dir), ...(steps !== undefined ? { steps } : { epochs: epochs! }) });
      trainSize = pre.trainSize;
      backend = { name: pre.backend.name, threads: pre.backend.threads };
      const r = pre.result;
      trained = {
        steps: r.steps,
        epochs: r.epochs,
        msPerStep: (r.seconds * 1000) / r.steps,
        trainSeconds: Math.round(r.seconds),
        lastLoss: r.lastLoss,
        monitor: r.epochRecords.map((e) => e.knn),
        ...(BENCH_METHODS[key].method === 'npid' ? { bankBytes: 4 * pre.trainSize * 128 } : {}),
      };
    }
    const tEval = performance.now();
    const report = await runEval({
      run: dir,
      data: fm,
      ...(num('eval-limit') !== undefined ? { limit: num('eval-limit')! } : {}),
      ...(num('test-limit') !== undefined ? { testLimit: num('test-limit')! } : {}),
      ...(num('pairs') !== undefined ? { pairs: num('pairs')! } : {}),
      // the baselines depend on the data, the seed and the (shared) encoder architecture only: once
      baselines: baselines === undefined,
      seed,
    });
    baselines ??= report.baselines;
    results[key] = { ...trained, evalSeconds: Math.round((performance.now() - tEval) / 1000), report };
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(results[key], null, 2) + '\n');
  }
  const summary: Summary = {
    backend,
    data: fm,
    trainSize,
    batch,
    baselines: baselines ?? {},
    methods: results,
    checks: {},
    pass: false,
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    out,
  };
  summary.checks = checksOf(summary, check);
  summary.pass = Object.values(summary.checks).every(Boolean);
  print(summary);
  console.log(`wall time ${summary.wallSeconds} s`);
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(JSON.stringify({ pass: summary.pass, steps, wallSeconds: summary.wallSeconds }));
  if (!summary.pass) process.exitCode = 1;
  return summary;
}
