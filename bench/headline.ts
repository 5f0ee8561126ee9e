/**
 * `npm run bench -- headline [--minutes 10] [--methods simclr,moco,npid,invaspread,cmc,cpc]
 * [--seed 0] [--out runs/headline] [--table-only]`: issue 18's headline table. Each method is trained by the
 * CLI as a user runs it, `contrastive pretrain --method <m> --data <d> --minutes M` (the steps
 * sized from a measured step on this machine and re-sized from the run's own pace as it goes,
 * every other setting the CLI's default), then
 * evaluated by `contrastive eval --run <dir> --json`: linear probe and kNN at 1%, 10% and 100% of
 * the labels (1% and 10% the mean over the evaluation's labelled draws), next to raw inputs and
 * the same encoder with random weights. SimCLR, MoCo, NPID and InvaSpread train on Fashion-MNIST's
 * 60,000 train images, CMC on the CIFAR-10 subset, CPC on FSDD (all from ../shared/data). Prints
 * one table and whether every method beats both baselines on both probes at 1% and 10%. `--seed`
 * is pretrain's (weights, data order, augmentations; the random encoder is that seed's
 * initialisation); the evaluation's labelled draws stay the CLI's.
 *
 * The CLI runs from dist/ (built first, as `npm start` does). `--table-only` prints the table of
 * an earlier run's `<out>/<method>/config.json` and `<out>/<method>.eval.json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '../src/node/data/paths.js';

/** The methods of the headline and the data each trains on (a folder of ../shared/data, and the CLI's spec). */
const METHODS = {
  simclr: { folder: 'fashion-mnist', data: (d: string) => `idx:${d}`, name: 'SimCLR' },
  moco: { folder: 'fashion-mnist', data: (d: string) => `idx:${d}`, name: 'MoCo' },
  npid: { folder: 'fashion-mnist', data: (d: string) => `idx:${d}`, name: 'NPID' },
  invaspread: { folder: 'fashion-mnist', data: (d: string) => `idx:${d}`, name: 'InvaSpread' },
  cmc: { folder: 'cifar10-subset', data: () => 'cifar10-subset', name: 'CMC' },
  cpc: { folder: 'fsdd', data: (d: string) => `wav:${d}`, name: 'CPC' },
} as const;
type Method = keyof typeof METHODS;

const FRACTIONS = ['1%', '10%', '100%'] as const;
const CHECKED = ['1%', '10%'] as const;
type Probe = 'linear' | 'knn';
type Scores = Record<Probe, Record<string, number>>;

interface EvalJson extends Scores {
  spread?: Record<Probe, Record<string, number>>;
  labelSubsets?: number;
  baselines: Record<'pixels' | 'random', Scores>;
}

interface RunResult {
  steps: number;
  seconds: number;
}

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench headline: node ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function pct(v: number): string {
  return (100 * v).toFixed(1);
}

export async function main(args: string[]): Promise<void> {
  const opt = (flag: string, fallback: string): string => {
    const i = args.indexOf(`--${flag}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
  const minutes = Number(opt('minutes', '10'));
  if (!(minutes > 0)) throw new Error(`bench headline: --minutes must be a positive number, got '${opt('minutes', '')}'`);
  const methods = opt('methods', Object.keys(METHODS).join(',')).split(',') as Method[];
  for (const m of methods)
    if (!(m in METHODS)) throw new Error(`bench headline: --methods takes ${Object.keys(METHODS).join(',')}, got '${m}'`);
  const seed = opt('seed', '0');
  if (!/^\d+$/.test(seed)) throw new Error(`bench headline: --seed must be a non-negative integer, got '${seed}'`);
  const out = opt('out', join('runs', 'headline'));
  const tableOnly = args.includes('--table-only');
  const shared = sharedDataDir();

  if (!tableOnly) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('bench headline: npm run build failed');
    mkdirSync(out, { recursive: true });
  }
  const results: Partial<Record<Method, { eval: EvalJson; run: RunResult }>> = {};
  for (const m of methods) {
    const spec = METHODS[m];
    const dir = join(out, m);
    const evalFile = join(out, `${m}.eval.json`);
    if (!tableOnly) {
      const folder = shared === undefined ? undefined : join(shared, spec.folder);
      if (folder === undefined || !existsSync(folder)) {
        console.error(`bench headline: ${m} skipped: no ${spec.folder} in ../shared/data`);
        continue;
      }
      console.error(`\n== ${m}: pretrain --minutes ${minutes} (${new Date().toISOString()})`);
      rmSync(dir, { recursive: true, force: true });
      const data = spec.data(folder);
      run([
        'dist/cli/main.js',
        'pretrain',
        '--method',
        m,
        '--data',
        data,
        '--minutes',
        String(minutes),
        '--seed',
        seed,
        '--out',
        dir,
        '--no-report',
      ]);
      const e = spawnSync(process.execPath, ['dist/cli/main.js', 'eval', '--run', dir, '--json'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
      });
      if (e.status !== 0) throw new Error(`bench headline: eval of ${dir} exited with ${e.status ?? e.signal}`);
      writeFileSync(`${evalFile}.tmp`, e.stdout);
      renameSync(`${evalFile}.tmp`, evalFile);
    }
    if (!existsSync(evalFile)) {
      console.error(`bench headline: ${m}: no ${evalFile}`);
      continue;
    }
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { result: RunResult };
    results[m] = { eval: JSON.parse(readFileSync(evalFile, 'utf8')) as EvalJson, run: config.result };
  }

  const cell = (s: Scores, spread: EvalJson['spread'] | undefined, probe: Probe, f: string, bold: boolean): string => {
    const sd = spread?.[probe]?.[f];
    const v = `${pct(s[probe][f]!)}${sd !== undefined ? ` ± ${pct(sd)}` : ''}`;
    return bold ? `**${v}**` : v;
  };
  console.log(
    `\n| data | features | steps (train s) | ${FRACTIONS.map((f) => `linear ${f}`).join(' | ')} | ${FRACTIONS.map((f) => `kNN ${f}`).join(' | ')} |`,
  );
  console.log(`|---|---|---|${FRACTIONS.map(() => '---').join('|')}|${FRACTIONS.map(() => '---').join('|')}|`);
  const checks: string[] = [];
  const printed = new Set<string>(); // baselines already in the table (the same data and encoder give the same rows)
  let pass = true;
  for (const [m, r] of Object.entries(results) as [Method, { eval: EvalJson; run: RunResult }][]) {
    const spec = METHODS[m];
    const e = r.eval;
    const beats = (probe: Probe, f: string): boolean =>
      e[probe][f]! > e.baselines.pixels[probe][f]! && e[probe][f]! > e.baselines.random[probe][f]!;
    for (const [name, s] of [
      ['raw input', e.baselines.pixels],
      ['random encoder', e.baselines.random],
    ] as const) {
      const key = `${spec.folder} ${name} ${JSON.stringify(s)}`;
      if (printed.has(key)) continue;
      printed.add(key);
      const row = (probe: Probe): string => FRACTIONS.map((f) => cell(s, undefined, probe, f, false)).join(' | ');
      console.log(`| ${spec.folder} | ${name} | | ${row('linear')} | ${row('knn')} |`);
    }
    const row = (probe: Probe): string => FRACTIONS.map((f) => cell(e, e.spread, probe, f, beats(probe, f))).join(' | ');
    console.log(`| ${spec.folder} | ${spec.name} | ${r.run.steps} (${Math.round(r.run.seconds)}) | ${row('linear')} | ${row('knn')} |`);
    for (const probe of ['linear', 'knn'] as const)
      for (const f of CHECKED) {
        const ok = beats(probe, f);
        pass &&= ok;
        checks.push(`${ok ? 'PASS' : 'FAIL'} ${spec.name} ${probe} ${f} beats raw input and the random encoder`);
      }
  }
  console.log('');
  for (const c of checks) console.log(c);
  console.log(JSON.stringify({ minutes, pass, methods: Object.keys(results) }));
  if (!pass) process.exitCode = 1;
}
