/**
 * `npm run bench -- simclr [options]`: SimCLR on Fashion-MNIST through the product's own path
 * (`contrastive pretrain` + `contrastive eval`): pretrain on the 60k train split from
 * ../shared/data (or CONTRASTIVE_DATA), evaluate on the 10k test split: linear probe and kNN at
 * 1%, 10%, 100% of the labels for the trained encoder, raw pixels and the random encoder, k-means
 * NMI/ARI, alignment/uniformity. Checks that the trained encoder beats both baselines on both
 * probes at 1% and 10%. Prints the table and one JSON line (also written to <out>/bench.json).
 *
 * Defaults are the CLI's (small CNN, smallGrey augmentation, τ 0.5, Adam 1e-3, batch 256,
 * warm-up 10% then cosine); the number of steps is sized to `--budget` seconds of training,
 * measured on this machine before training (other processes may share the CPU).
 *
 * Options: --budget <s> (training seconds, default 1800) | --steps N | --epochs N, --batch 256,
 * --limit N (pre-training rows), --eval-limit N (labelled train rows for the probes, stratified),
 * --test-limit N, --pairs N (alignment/uniformity pairs), --out runs/bench-simclr, --seed 0, --lr X.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, describeBackend } from '../src/backend.js';
import { sharedDataDir } from '../src/node/data/paths.js';
import type { Recipe } from '../src/cli/recipe.js';
import { measureStepSeconds, runPretrain, type PretrainOptions } from '../src/cli/pretrain.js';
import { formatReport, runEval } from '../src/cli/eval.js';

export async function main(args: string[]): Promise<void> {
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string): number | undefined => (opt(name) === undefined ? undefined : Number(opt(name)));
  const budget = num('budget') ?? 1800;
  const batch = num('batch') ?? 256;
  const seed = num('seed') ?? 0;
  const out = opt('out') ?? join('runs', 'bench-simclr');
  const shared = sharedDataDir();
  const fm = shared !== undefined && existsSync(join(shared, 'fashion-mnist')) ? `idx:${join(shared, 'fashion-mnist')}` : 'fashion-mnist';
  const t0 = performance.now();
  const info = await initBackend();
  console.log(`bench simclr: ${describeBackend(info)}; data ${fm}`);

  let steps = num('steps');
  const epochs = num('epochs');
  if (steps === undefined && epochs === undefined) {
    const recipe: Recipe = { method: 'simclr', arch: 'small-cnn', inputShape: [28, 28, 1], kind: 'image', width: 64, augmentation: 'small-grey-jitter', flip: true, temperature: 0.5, projectionDim: 128, seed };
    const s = await measureStepSeconds(recipe, fm, batch, 3);
    steps = Math.max(50, Math.floor(budget / s));
    console.log(`step time ${s.toFixed(2)} s -> ${steps} steps for a ${budget} s budget`);
  }
  rmSync(out, { recursive: true, force: true });
  const options: PretrainOptions = {
    method: 'simclr',
    data: fm,
    split: 'train',
    ...(num('limit') !== undefined ? { limit: num('limit')! } : {}),
    ...(steps !== undefined ? { steps } : { epochs: epochs! }),
    batchSize: batch,
    temperature: 0.5,
    optimizer: 'adam',
    ...(num('lr') !== undefined ? { lr: num('lr')! } : {}),
    weightDecay: 1e-6,
    clipNorm: 0,
    seed,
    width: 64,
    out,
    resume: false,
    flip: true,
  };
  const pre = await runPretrain(options);
  const tEval = performance.now();
  const report = await runEval({ run: out, data: fm, ...(num('eval-limit') !== undefined ? { limit: num('eval-limit')! } : {}), ...(num('test-limit') !== undefined ? { testLimit: num('test-limit')! } : {}), ...(num('pairs') !== undefined ? { pairs: num('pairs')! } : {}), seed });
  const evalSeconds = (performance.now() - tEval) / 1000;
  const wall = (performance.now() - t0) / 1000;
  console.log(formatReport(report));
  const checks: Record<string, boolean> = {};
  for (const probe of ['linear', 'knn'] as const) {
    for (const f of ['1%', '10%']) {
      for (const base of ['pixels', 'random']) {
        checks[`${probe} ${f} > ${base}`] = report[probe][f]! > report.baselines[base]![probe][f]!;
      }
    }
  }
  const ok = Object.values(checks).every(Boolean);
  for (const [k, v] of Object.entries(checks)) console.log(`${v ? 'PASS' : 'FAIL'} trained ${k}`);
  const summary = {
    backend: { name: pre.backend.name, threads: pre.backend.threads },
    data: fm,
    trainSize: pre.trainSize,
    steps: pre.result.steps,
    epochs: pre.result.epochs,
    batch,
    trainSeconds: Math.round(pre.result.seconds),
    evalSeconds: Math.round(evalSeconds),
    wallSeconds: Math.round(wall),
    lastLoss: pre.result.lastLoss,
    monitor: pre.result.epochRecords.map((e) => e.knn),
    report,
    pass: ok,
  };
  writeFileSync(join(out, 'bench.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(JSON.stringify(summary));
  if (!ok) process.exitCode = 1;
}
