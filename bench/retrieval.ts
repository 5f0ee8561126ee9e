/**
 * `npm run bench -- retrieval [--seeds 0,1] [--budget 600] [--queries 500] [--out DIR] [--skip-latency | --only-latency]`
 *
 * Search on a collection whose labels are hidden: the CIFAR-10 subset of the shared data (all
 * 5,000 images, both splits) written as PNG files into ONE flat folder, so `folder:` sees no
 * classes. Per seed: `pretrain` with the defaults (SimCLR, small CNN, batch 256, 32 px) for
 * `--budget` seconds of this machine (steps sized from a measured step, as `npm start` does),
 * then `index` three times (trained encoder, random encoder, raw pixels of the same 32x32
 * images) and `search` with `--queries` ids through the CLI. The hidden labels only score: mean
 * same-class precision@10 over the queries (the query itself excluded).
 *
 * Also: `index` wall time against `embed` alone on the same images (both CLI processes, same
 * run, alternated twice, the faster of each), and the p50 latency of one query against 100,000 synthetic 128-d rows (in-process,
 * VectorIndex), exact scan and after the IVF-PQ index (with its recall@10 against exact), for
 * unstructured Gaussian rows and for clustered rows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../src/backend.js';
import { loadDataset } from '../src/node/data/load-dataset.js';
import { sizeStepsToBudget } from '../src/node/run/step-budget.js';
import { DEFAULT_TEMPERATURE, type Recipe } from '../src/recipes/recipe.js';
import { VectorIndex, type IndexRow } from '../src/node/search/vector-index.js';
import { Rng } from '../src/random.js';

const root = join(import.meta.dirname, '..');
const cliMain = join(root, 'src', 'cli', 'main.ts');

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

function cli(args: string[]): { stdout: string; seconds: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', cliMain, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0)
    throw new Error(
      `contrastive ${args.slice(0, 3).join(' ')} ... exited ${r.status}: ${
        r.stderr
          .split('\n')
          .filter((l) => l.startsWith('contrastive:'))
          .join(' ') || r.stderr.slice(-2000)
      }`,
    );
  return { stdout: r.stdout, seconds };
}

/** Writes every image of the subset as <dir>/img-NNNNN.png in a shuffled order; returns id -> label. */
async function writeCollection(dir: string): Promise<Map<string, number>> {
  const labels = new Map<string, number>();
  const parts = [await loadDataset('cifar10-subset', { split: 'train' }), await loadDataset('cifar10-subset', { split: 'test' })];
  const n = parts.reduce((a, d) => a + d.size, 0);
  const order = new Rng(12345).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  let k = 0;
  mkdirSync(dir, { recursive: true });
  for (const ds of parts) {
    for (let i = 0; i < ds.size; i++) {
      const s = await ds.get(i);
      const [h, w, c] = s.shape as [number, number, number];
      const px = Buffer.from(Uint8Array.from(s.data, (v) => Math.round(v * 255)));
      const id = `img-${String(order[k]!).padStart(5, '0')}.png`;
      await sharp(px, { raw: { width: w, height: h, channels: c as 3 } })
        .png()
        .toFile(join(dir, id));
      labels.set(id, ds.labels!.values[i]!);
      k++;
    }
  }
  return labels;
}

function precisionAt10(stdout: string, labels: Map<string, number>): { mean: number; queries: number } {
  const lines = stdout.trim().split('\n');
  let sum = 0;
  for (const l of lines) {
    const o = JSON.parse(l) as { query: string; neighbours: { id: string }[] };
    const want = labels.get(o.query)!;
    sum += o.neighbours.filter((n) => labels.get(n.id) === want).length / o.neighbours.length;
  }
  return { mean: sum / lines.length, queries: lines.length };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `gaussian`: i.i.d. N(0, 1) rows, the worst case for an ANN index (no structure at all);
 * `clustered`: 1,000 random centres, each row a centre plus N(0, 0.3²) noise, queries likewise
 * (closer to embeddings of a photo collection: groups of similar images).
 */
async function latency(dir: string, kind: 'gaussian' | 'clustered'): Promise<Record<string, number | string>> {
  const n = 100_000;
  const dim = 128;
  const rng = new Rng(7);
  const centres = Array.from({ length: 1000 }, () => Float32Array.from({ length: dim }, () => rng.normal()));
  const draw = (): Float32Array => {
    if (kind === 'gaussian') return Float32Array.from({ length: dim }, () => rng.normal());
    const c = centres[rng.int(centres.length)]!;
    return Float32Array.from(c, (v) => v + 0.3 * rng.normal());
  };
  rmSync(join(dir, `synthetic-${kind}`), { recursive: true, force: true });
  const ix = await VectorIndex.open(join(dir, `synthetic-${kind}`), { create: { dim, labelled: false } });
  try {
    const t0 = performance.now();
    for (let at = 0; at < n; at += 10_000) {
      const rows: IndexRow[] = [];
      for (let i = at; i < at + 10_000; i++) rows.push({ id: `r${i}`, path: '', vector: draw(), run: 'synthetic' });
      await ix.add(rows);
    }
    const addSeconds = (performance.now() - t0) / 1000;
    const queries = Array.from({ length: 100 }, draw);
    const time = async (): Promise<{ p50: number; results: string[][] }> => {
      await ix.search(queries[0]!, { k: 10 }); // warm-up
      const ms: number[] = [];
      const results: string[][] = [];
      for (const q of queries) {
        const t = performance.now();
        results.push((await ix.search(q, { k: 10 })).map((r) => r.id));
        ms.push(performance.now() - t);
      }
      return { p50: median(ms), results };
    };
    const exact = await time();
    const t1 = performance.now();
    await ix.optimize(n);
    const annBuildSeconds = (performance.now() - t1) / 1000;
    const ann = await time();
    const recall = ann.results.reduce((a, r, i) => a + r.filter((id) => exact.results[i]!.includes(id)).length / 10, 0) / queries.length;
    return { kind, rows: n, dim, addSeconds, exactP50Ms: exact.p50, annBuildSeconds, annP50Ms: ann.p50, annRecallAt10: recall };
  } finally {
    ix.close();
  }
}

export async function main(args: string[]): Promise<void> {
  const seeds = arg(args, 'seeds', '0,1').split(',').map(Number);
  const budget = Number(arg(args, 'budget', '600'));
  const nQueries = Number(arg(args, 'queries', '500'));
  const out = arg(args, 'out', mkdtempSync(join(tmpdir(), 'contrastive-retrieval-')));
  mkdirSync(out, { recursive: true });
  const log = (l: string): void => console.error(`[retrieval ${((performance.now() - t0) / 1000).toFixed(0)} s] ${l}`);
  const t0 = performance.now();
  const results: Record<string, unknown> = { command: `npm run bench -- retrieval ${args.join(' ')}`.trim(), budget, seeds: {} };
  if (!args.includes('--skip-latency')) {
    results.latency = [];
    for (const kind of ['gaussian', 'clustered'] as const) {
      log(`latency: 100,000 synthetic 128-d rows (${kind})`);
      const l = await latency(out, kind);
      (results.latency as unknown[]).push(l);
      log(JSON.stringify(l));
    }
    if (args.includes('--only-latency')) {
      console.log(JSON.stringify(results, null, 2));
      return;
    }
  }
  const photos = join(out, 'photos');
  if (!existsSync(join(photos, 'img-04999.png'))) rmSync(photos, { recursive: true, force: true });
  const labels = await writeCollection(photos);
  log(`${labels.size} PNG files in one flat folder ${photos}`);
  await initBackend();
  const recipe: Recipe = {
    method: 'simclr',
    arch: 'small-cnn',
    inputShape: [32, 32, 3],
    kind: 'image',
    width: 64,
    augmentation: 'simclr-cifar',
    flip: true,
    temperature: DEFAULT_TEMPERATURE.simclr!,
    projectionDim: 128,
    head: 'mlp',
    headBatchNorm: true,
    encoderBatchNorm: true,
    featureBatchNorm: true,
    seed: 0,
  };
  const { steps, stepSeconds } = await sizeStepsToBudget(recipe, `folder:${photos}`, 256, budget, { minSteps: 20 });
  log(`one step takes ${stepSeconds.toFixed(2)} s: ${steps} steps per run`);
  const queryIds = Array.from(
    new Rng(99).shuffle(Int32Array.from({ length: labels.size }, (_, i) => i)).subarray(0, nQueries),
    (i) => `img-${String(i).padStart(5, '0')}.png`,
  );
  for (const seed of seeds) {
    const run = join(out, `run-seed${seed}`);
    rmSync(run, { recursive: true, force: true });
    const p = cli([
      'pretrain',
      '--data',
      `folder:${photos}`,
      '--steps',
      String(steps),
      '--seed',
      String(seed),
      '--out',
      run,
      '--no-report',
    ]);
    log(`seed ${seed}: pretrain ${steps} steps in ${p.seconds.toFixed(0)} s`);
    const r: Record<string, unknown> = { steps, pretrainSeconds: p.seconds };
    for (const encoder of ['trained', 'random', 'pixels'] as const) {
      const db = join(out, `db-seed${seed}-${encoder}`);
      rmSync(db, { recursive: true, force: true });
      const ix = cli(['index', '--run', run, '--db', db, '--encoder', encoder]);
      const s = cli(['search', '--db', db, '-k', '10', '--json', ...queryIds.flatMap((q) => ['--query', q])]);
      const prec = precisionAt10(s.stdout, labels);
      r[encoder] = { precisionAt10: prec.mean, queries: prec.queries, indexSeconds: ix.seconds, searchSeconds: s.seconds };
      log(`seed ${seed} ${encoder}: precision@10 ${prec.mean.toFixed(4)} over ${prec.queries} queries (index ${ix.seconds.toFixed(1)} s)`);
    }
    if (seed === seeds[0]) {
      // alternate embed and index twice each (a fresh index every time); the faster of each pair
      const embedS: number[] = [];
      const indexS: number[] = [];
      for (let k = 0; k < 2; k++) {
        embedS.push(cli(['embed', '--run', run, '--out', join(out, 'embed.npy')]).seconds);
        const db = join(out, 'db-timing');
        rmSync(db, { recursive: true, force: true });
        indexS.push(cli(['index', '--run', run, '--db', db]).seconds);
      }
      r.timing = { embedSeconds: embedS, indexSeconds: indexS, ratio: Math.min(...indexS) / Math.min(...embedS) };
      log(
        `index ${indexS.map((x) => x.toFixed(1)).join(', ')} s vs embed ${embedS.map((x) => x.toFixed(1)).join(', ')} s: ${(Math.min(...indexS) / Math.min(...embedS)).toFixed(2)}x`,
      );
    }
    (results.seeds as Record<string, unknown>)[String(seed)] = r;
    writeFileSync(join(out, 'retrieval.json'), JSON.stringify(results, null, 2) + '\n');
  }
  console.log(JSON.stringify(results, null, 2));
  log(`results in ${join(out, 'retrieval.json')}`);
}
