/**
 * `npm run bench -- web-digits [--method simclr] [--steps 300] [--batch 128] [--lr L] [--tau T]
 * [--crop S] [--bn true|false] [--seeds 0,1] [--every 50]`: the browser page's run (web/page-method.ts; lr, τ and
 * the digits' lowest crop area default to its PAGE_RECIPE) in Node: the bundled digits, 500
 * labelled images held out, kNN accuracy of h (k 20, 5 interleaved folds: every held-out digit a
 * query once, as the page: web/folded-knn.ts) before training and every `every` steps, one line
 * per seed. Picks the page's recipe (issue 21: it must end clearly above the untrained network,
 * not only peak early).
 */
import { readFileSync } from 'node:fs';
import * as tf from '../src/tf.js';
import { initBackend, describeBackend } from '../src/backend.js';
import { csvDataset, parseCsv } from '../src/data/csv.js';
import { maybeGunzip } from '../src/data/gunzip.js';
import { holdOut } from '../web/hold-out.js';
import { epochOrder } from '../src/data/batches.js';
import { foldedKnnAccuracy } from '../web/folded-knn.js';
import { warmupCosine } from '../src/train/schedules.js';
import { Rng } from '../src/random.js';
import { makePageMethod, PAGE_RECIPE, type PageMethod } from '../web/page-method.js';

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const name = opt('method', 'simclr') as PageMethod;
  const steps = Number(opt('steps', '300'));
  const batch = Number(opt('batch', '128'));
  const lr = Number(opt('lr', String(PAGE_RECIPE.learningRate)));
  const tau = Number(opt('tau', String(PAGE_RECIPE.simclrTemperature)));
  const crop = Number(opt('crop', String(PAGE_RECIPE.digitsMinCropScale)));
  const seeds = opt('seeds', opt('seed', '0')).split(',').map(Number);
  const bn = opt('bn', String(PAGE_RECIPE.encoderBatchNorm)) === 'true';
  const every = Number(opt('every', '50'));
  console.log(describeBackend(await initBackend()));
  const text = new TextDecoder().decode(await maybeGunzip(new Uint8Array(readFileSync('data/digits/digits.csv.gz')), 'digits.csv.gz'));
  const all = csvDataset(parseCsv(text, 'digits.csv.gz', { numClasses: 10 }), { name: 'digits', as: 'image' });
  const { train, evalRows } = holdOut(all, 500);
  const ev = await all.getBatch(evalRows);
  const evalX = tf.tensor(ev.x, ev.shape);
  const labels = ev.labels!;
  for (const seed of seeds) await runSeed(seed);
  evalX.dispose();

  async function runSeed(seed: number): Promise<void> {
    const { method } = makePageMethod(name, [8, 8, 1], train.size, {
      seed,
      forDigits: true,
      recipe: { learningRate: lr, simclrTemperature: tau, digitsMinCropScale: crop, encoderBatchNorm: bn },
    });
    const knn = async (): Promise<number> => {
      const h = method.embed(evalX);
      const values = (await h.data()) as Float32Array;
      const dim = h.shape[1];
      h.dispose();
      return foldedKnnAccuracy(values, dim, labels);
    };
    const schedule = warmupCosine({ baseLr: lr, totalSteps: Math.max(1, steps), warmupSteps: Math.round(steps / 10) });
    const rng = new Rng(seed);
    await method.prepare?.(train, { batchSize: batch });
    let order = epochOrder(train.size, { shuffle: true, rng });
    let at = 0;
    const line: string[] = [`0:${(await knn()).toFixed(3)}`];
    const t0 = performance.now();
    for (let step = 1; step <= steps; step++) {
      if (at + batch > order.length) {
        order = epochOrder(train.size, { shuffle: true, rng });
        at = 0;
      }
      const b = await train.getBatch(order.subarray(at, at + batch));
      at += batch;
      method.optimizer.learningRate = schedule(step - 1);
      const x = tf.tensor(b.x, b.shape);
      await method.trainStep({ x, indices: b.indices }, rng);
      x.dispose();
      if (step % every === 0 || step === steps) line.push(`${step}:${(await knn()).toFixed(3)}`);
    }
    console.log(
      `${name} steps ${steps} batch ${batch} lr ${lr} tau ${tau} crop ${crop} bn ${bn} seed ${seed}: kNN ${line.join(' ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    method.dispose();
  }
}
