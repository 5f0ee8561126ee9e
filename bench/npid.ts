/**
 * `npm run bench -- npid [options]`: NPID (NCE and full softmax) on Fashion-MNIST, next to SimCLR
 * trained with the same encoder, augmentation, optimizer and budget, and two baselines (raw
 * pixels, the same encoder with random weights). Reports kNN (k = 200) and linear-probe accuracy
 * at 1%, 10%, 100% of the train labels (nested stratified subsets, the whole test split), NPID's
 * kNN read straight from the memory bank, the bank's memory, and the median time per step.
 * `npm run bench -- invaspread` runs the same with InvaSpread (bench/invaspread.ts).
 *
 * Options: --methods npid-nce,npid-softmax,invaspread,simclr (default per bench), --no-baselines,
 * --epochs 1 | --steps N, --batch 256, --limit N (train rows, stratified), --test-limit N,
 * --negatives 4096, --head-bn (BatchNorm in the head's hidden layer), --backend name, --seed 0.
 *
 * Setup (all methods): convNet() encoder [28,28,1] -> 128, projection head 128-128-128,
 * smallGrey(28) augmentation, Adam lr 1e-3 with the trainer's warm-up + cosine, batch 256.
 */
import * as tf from '../src/tf.js';
import { initBackend, describeBackend, type BackendName } from '../src/backend.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/node/data/load-dataset.js';
import { convNet } from '../src/models/conv-net.js';
import { projectionHead } from '../src/models/projection-head.js';
import { smallGrey } from '../src/augment/presets.js';
import { simclr } from '../src/methods/simclr.js';
import { npid, bankKnnAccuracy, type Npid } from '../src/methods/npid.js';
import { invaSpread } from '../src/methods/inva-spread.js';
import type { Method } from '../src/methods/method.js';
import { MemoryBank } from '../src/memory/memory-bank.js';
import { Optimizer } from '../src/train/optimizers.js';
import { train } from '../src/train/trainer.js';
import { compareLabelEfficiency } from '../src/eval/label-efficiency.js';
import { formatLabelEfficiencyTable } from '../src/eval/format-table.js';
import type { FeatureArray } from '../src/eval/features.js';

const METHODS = ['npid-nce', 'npid-softmax', 'invaspread', 'simclr'] as const;
type MethodName = (typeof METHODS)[number];

interface Options {
  methods: MethodName[];
  baselines: boolean;
  epochs: number;
  steps: number | undefined;
  batch: number;
  limit: number | undefined;
  testLimit: number | undefined;
  negatives: number;
  /** BatchNorm in the projection head's hidden layer (SimCLR v2's head) for every method. */
  headBn: boolean;
  backend: BackendName | undefined;
  seed: number;
}

function parse(args: string[], defaults: MethodName[]): Options {
  const o: Options = { methods: defaults, baselines: true, epochs: 1, steps: undefined, batch: 256, limit: undefined, testLimit: undefined, negatives: 4096, headBn: false, backend: undefined, seed: 0 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`bench: ${a} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number.parseInt(next(), 10);
      if (!(v > 0)) throw new Error(`bench: ${a} needs a positive integer`);
      return v;
    };
    if (a === '--methods') {
      o.methods = next().split(',').filter((s) => s !== '') as MethodName[];
      for (const m of o.methods) if (!METHODS.includes(m)) throw new Error(`bench: --methods takes ${METHODS.join(',')}, got '${m}'`);
    } else if (a === '--no-baselines') o.baselines = false;
    else if (a === '--epochs') o.epochs = int();
    else if (a === '--steps') o.steps = int();
    else if (a === '--batch') o.batch = int();
    else if (a === '--limit') o.limit = int();
    else if (a === '--test-limit') o.testLimit = int();
    else if (a === '--negatives') o.negatives = int();
    else if (a === '--head-bn') o.headBn = true;
    else if (a === '--backend') o.backend = next() as BackendName;
    else if (a === '--seed') o.seed = Number.parseInt(next(), 10);
    else throw new Error(`bench: unknown option '${a}'`);
  }
  return o;
}

/** Row-major values of `fn` applied to the whole dataset in batches. */
async function mapDataset(data: Dataset, fn: (x: tf.Tensor) => tf.Tensor2D, batch = 500): Promise<FeatureArray> {
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let s = 0; s < data.size; s += batch) {
    const b = await data.getBatch(Int32Array.from({ length: Math.min(batch, data.size - s) }, (_, i) => s + i));
    const x = tf.tensor(b.x, b.shape);
    const f = fn(x);
    dim = f.shape[1];
    parts.push((await f.data()) as Float32Array);
    tf.dispose([x, f]);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return { data: out, dim };
}

function build(name: MethodName, o: Options, trainSize: number): Method {
  const encoder = convNet({ inputShape: [28, 28, 1], seed: o.seed });
  const head = projectionHead({ inputDim: 128, outputDim: 128, batchNorm: o.headBn, seed: o.seed + 1000 });
  const augmentation = smallGrey(28);
  const optimizer = new Optimizer({ learningRate: 1e-3 });
  switch (name) {
    case 'simclr':
      return simclr({ encoder, head, augmentation, temperature: 0.5, optimizer });
    case 'invaspread':
      return invaSpread({ encoder, head, augmentation, temperature: 0.1, optimizer });
    case 'npid-nce':
    case 'npid-softmax':
      return npid({
        encoder,
        head,
        bank: new MemoryBank({ size: trainSize, dim: 128, momentum: 0.5, seed: o.seed }),
        objective: name === 'npid-nce' ? 'nce' : 'softmax',
        negatives: Math.min(o.negatives, trainSize),
        temperature: 0.07,
        augmentation,
        optimizer,
      });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

/** The benchmark with `defaults` as the methods when --methods is not given. */
export async function runBench(args: string[], defaults: MethodName[]): Promise<void> {
  const o = parse(args, defaults);
  const info = await initBackend(o.backend);
  let trainData: Dataset;
  let testData: Dataset;
  try {
    trainData = await loadDataset('fashion-mnist', { split: 'train', ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    testData = await loadDataset('fashion-mnist', { split: 'test', ...(o.testLimit !== undefined ? { limit: o.testLimit } : {}) });
  } catch (err) {
    console.log(`bench: Fashion-MNIST is not available here (${(err as Error).message}); nothing measured`);
    return;
  }
  const labels = { train: trainData.labels!.values, test: testData.labels!.values };
  console.log(`${describeBackend(info)}; Fashion-MNIST train ${trainData.size}, test ${testData.size}; batch ${o.batch}; head ${o.headBn ? 'with' : 'without'} BatchNorm; ${o.steps !== undefined ? `${o.steps} steps` : `${o.epochs} epoch(s)`} per method; seed ${o.seed}`);

  const featureSets: Record<string, { train: FeatureArray; test: FeatureArray }> = {};
  const extra: string[] = [];
  const t0 = performance.now();
  if (o.baselines) {
    const flat = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [x.shape[0]!, -1]);
    featureSets.pixels = { train: await mapDataset(trainData, flat), test: await mapDataset(testData, flat) };
    const random = convNet({ inputShape: [28, 28, 1], seed: o.seed });
    const embed = (x: tf.Tensor): tf.Tensor2D => tf.tidy(() => random.apply(x, { training: false }) as tf.Tensor2D);
    featureSets['random encoder'] = { train: await mapDataset(trainData, embed), test: await mapDataset(testData, embed) };
    random.dispose();
  }
  for (const name of o.methods) {
    const method = build(name, o, trainData.size);
    const stepMs: number[] = [];
    const losses: number[] = [];
    const started = performance.now();
    const result = await train({
      method,
      data: trainData,
      batchSize: o.batch,
      ...(o.steps !== undefined ? { steps: o.steps } : { epochs: o.epochs }),
      seed: o.seed,
      onStep: (r) => {
        stepMs.push((o.batch * 1000) / r.samplesPerSec);
        losses.push(r.loss);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const emb = (x: tf.Tensor): tf.Tensor2D => method.embed(x);
    featureSets[name] = { train: await mapDataset(trainData, emb), test: await mapDataset(testData, emb) };
    let line = `${name}: ${result.steps} steps in ${seconds.toFixed(0)} s, median ${median(stepMs.slice(1)).toFixed(0)} ms/step, loss ${losses[0]?.toFixed(3)} -> ${result.lastLoss.toFixed(3)}`;
    if (name.startsWith('npid')) {
      const n = method as Npid;
      const v = await mapDataset(testData, (x) => n.features(x));
      const acc = await bankKnnAccuracy(n.bank, labels.train, v, labels.test);
      line += `; bank ${n.bank.size} x ${n.bank.dim} = ${(n.bank.bytes / 2 ** 20).toFixed(1)} MiB; kNN on the bank (k 200, σ 0.07, 100% labels) ${(acc * 100).toFixed(1)}%`;
    }
    console.log(line);
    extra.push(line);
    method.dispose();
  }
  const results = await compareLabelEfficiency({
    labels,
    featureSets,
    fractions: [0.01, 0.1, 1],
    seed: o.seed,
    knn: { k: 200 },
    onProgress: (p) => {
      if (p.accuracy !== undefined) console.log(`  ${p.featureSet} ${p.probe} ${p.fraction}: ${(p.accuracy * 100).toFixed(1)}% (${p.trainRows} labelled rows)`);
    },
  });
  console.log('\n' + formatLabelEfficiencyTable(results));
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

export async function main(args: string[]): Promise<void> {
  await runBench(args, ['npid-nce', 'npid-softmax']);
}
