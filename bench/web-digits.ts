/**
 * `npm run bench -- web-digits [--method simclr] [--steps 300] [--batch 128] [--lr 1e-3]
 * [--tau 0.5] [--seed 0] [--every 50]`: the browser page's default run (web/page-method.ts) in
 * Node: the bundled digits, 500 labelled images held out (400 kNN memory, 100 queries, k 20,
 * as the page), kNN accuracy of h before training and every `every` steps. Picks the page's recipe
 * (issue 21: it must end clearly above the untrained network, not only peak early).
 */
import { readFileSync } from 'node:fs';
import * as tf from '../src/tf.js';
import { initBackend, describeBackend } from '../src/backend.js';
import { csvDataset, parseCsv } from '../src/data/csv.js';
import { maybeGunzip } from '../src/data/gunzip.js';
import { holdOut } from '../web/hold-out.js';
import { epochOrder } from '../src/data/batches.js';
import { knnAccuracy } from '../src/eval/knn.js';
import { warmupCosine } from '../src/train/schedules.js';
import { Rng } from '../src/random.js';
import { makePageMethod, type PageMethod } from '../web/page-method.js';

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const name = opt('method', 'simclr') as PageMethod;
  const steps = Number(opt('steps', '300'));
  const batch = Number(opt('batch', '128'));
  const lr = Number(opt('lr', '1e-3'));
  const tau = Number(opt('tau', '0.5'));
  const seed = Number(opt('seed', '0'));
  const every = Number(opt('every', '50'));
  console.log(describeBackend(await initBackend()));
  const text = new TextDecoder().decode(await maybeGunzip(new Uint8Array(readFileSync('data/digits/digits.csv.gz')), 'digits.csv.gz'));
  const all = csvDataset(parseCsv(text, 'digits.csv.gz', { numClasses: 10 }), { name: 'digits', as: 'image' });
  const { train, evalRows } = holdOut(all, 500);
  const ev = await all.getBatch(evalRows);
  const evalX = tf.tensor(ev.x, ev.shape);
  const labels = ev.labels!;
  const { method } = makePageMethod(name, [8, 8, 1], train.size, {
    seed,
    forDigits: true,
    recipe: { learningRate: lr, simclrTemperature: tau },
  });
  const knn = async (): Promise<number> => {
    const h = method.embed(evalX);
    const values = (await h.data()) as Float32Array;
    const dim = h.shape[1];
    h.dispose();
    const nb = Math.round(labels.length * 0.8);
    return knnAccuracy(
      { data: values.subarray(0, nb * dim), dim },
      labels.slice(0, nb),
      { data: values.subarray(nb * dim), dim },
      labels.slice(nb),
      { k: 20 },
    );
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
    `${name} steps ${steps} batch ${batch} lr ${lr} tau ${tau} seed ${seed}: kNN ${line.join(' ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  evalX.dispose();
  method.dispose();
}
