/**
 * `contrastive pretrain --method simclr --data <spec> --out runs/<name> [...]`: self-supervised
 * pre-training into a run folder (config.json, metrics.jsonl, checkpoint.bin, encoder/).
 * Ctrl-C writes a checkpoint and stops; `--resume` continues from it.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import * as tf from '../tf.js';
import { Rng } from '../random.js';
import { Option } from 'commander';
import { initBackend, describeBackend, type BackendInfo } from '../backend.js';
import type { Dataset } from '../data/dataset.js';
import { subset } from '../data/subset.js';
import { stratifiedSubset } from '../eval/stratify.js';
import { loadDataset } from '../node/data/load-dataset.js';
import { RunFolder } from '../node/run/run-folder.js';
import { saveModel } from '../node/run/model-io.js';
import { writeRunReport } from '../node/report/write-run-report.js';
import { train, planEpoch, type SkippedStep, type TrainResult } from '../train/trainer.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { ARCHS, METHODS, DEFAULT_TEMPERATURE, defaultTemperatureFor, HEADS, type HeadKind, buildMethod, checkArch, defaultArch, defaultAugmentation, type Arch, type MethodBuild, type Recipe } from '../recipes/recipe.js';
import { progress } from './progress.js';
import { cpcSequenceData } from '../recipes/cpc-recipe.js';
import { cmcRecipe } from '../recipes/cmc-recipe.js';
import { NPID_BANK_INITS, type NpidBankInit, type NpidObjective } from '../methods/npid.js';
import { MOCO_DEFAULTS } from '../methods/moco.js';
import { int, oneOf, positive } from './parse.js';
import { resolvePairing, type ResolvedPairing } from '../recipes/pairing.js';
import { LOSSES } from '../losses/targets.js';
import { NEGATIVE_SOURCES } from '../losses/target.js';
import { TRIPLET_MININGS, type TripletMining } from '../losses/mined-triplet.js';

export interface PretrainOptions {
  method: string;
  data: string;
  split: 'train' | 'test';
  limit?: number;
  arch?: Arch;
  epochs?: number;
  steps?: number;
  batchSize: number;
  /** @default per method (DEFAULT_TEMPERATURE) */
  temperature?: number;
  /** NPID objective. @default 'nce' */
  objective?: 'nce' | 'softmax';
  /** `--negatives`: a source (batch, queue, bank) or, as before, NPID's / CMC NCE's noise rows per step (a number; default 4096). */
  negatives?: number | string;
  /** The target function (src/losses/targets.ts). @default the method's own (src/recipes/pairing.ts) */
  loss?: string;
  /** MoCo: keys in the queue. @default 4096 */
  queueSize?: number;
  /** MoCo: EMA momentum of the key encoder. @default 0.99 */
  momentum?: number;
  /** SimCLR with ntxent: small crops added to the two global views (multi-crop). @default 0 */
  crops?: number;
  /** Triplet: margin. @default 0.2 */
  margin?: number;
  /** Triplet: negative mining. @default 'semi-hard' */
  mining?: TripletMining;
  /** Align-uniform: weight of the uniformity term. @default 1 */
  uniformityWeight?: number;
  /** The projection head (not CPC). @default 'mlp' */
  head?: HeadKind;
  /** NPID: fill the bank with the initial network's features ('features') or keep random rows ('random'). @default 'features' */
  bankInit?: NpidBankInit;
  /** CMC views, comma-separated. @default 'lab' */
  views?: string;
  /** CMC graph. @default 'core' */
  graph?: 'core' | 'full';
  lr?: number;
  optimizer: OptimizerName;
  weightDecay: number;
  warmup?: number;
  clipNorm: number;
  seed: number;
  width: number;
  out: string;
  resume: boolean;
  flip: boolean;
  /** Augmentation preset name (default: chosen from the data). */
  augmentation?: string;
  /** BatchNorm in the projection head's hidden layer (SimCLR's heads). @default true (NPID: always) */
  headBn?: boolean;
  /** small-cnn: BatchNorm after each convolution. @default true */
  encoderBn?: boolean;
  /** small-cnn, resnet18: the parameter-free BatchNorm on the pooled representation. @default true */
  featureBn?: boolean;
  imageSize?: number;
  /** Checkpoint every N steps inside an epoch too. */
  checkpointEvery?: number;
  /** A non-finite loss or gradient: stop (default) or skip the step and halve the learning rate. */
  onNonfinite?: 'stop' | 'skip';
  /** Size of the held-out labelled kNN-monitor slice; 0 disables. */
  monitor?: number;
  /** Print progress (false for quiet callers). */
  quiet?: boolean;
  /** Sequences: crop/pad every sample to this many steps. @default the data's length (the median when lengths vary) */
  length?: number;
  /** CPC: training window (steps). @default min(length, 4096) for audio, else length */
  window?: number;
  /** CPC: future offsets K. @default 12 for audio, fewer for short series */
  predictionSteps?: number;
  /** CPC: where negatives come from. @default 'batch' */
  cpcNegatives?: 'batch' | 'time' | 'both';
  /** CPC: representation pooling. @default 'mean' */
  pooling?: 'last' | 'mean';
  /** Write runs/<name>/report.html when the run finishes. @default true */
  report?: boolean;
}

/**
 * Seconds one training step of `recipe` takes on the active backend, measured on the first
 * `batchSize` samples of `data` (a throwaway model: one warm-up step, then the mean of `steps`).
 * `npm start` and the benchmark size their runs to a time budget with it.
 */
export async function measureStepSeconds(recipe: Recipe, data: string, batchSize: number, steps = 2): Promise<number> {
  const probe = buildMethod({ recipe, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 1e-6, clipNorm: 0 } });
  try {
    const sample = await loadDataset(data, { split: 'train', limit: batchSize });
    const b = await sample.getBatch(Int32Array.from({ length: sample.size }, (_, i) => i));
    const x = tf.tensor(b.x, b.shape);
    try {
      const rng = new Rng(0);
      probe.trainStep({ x, indices: b.indices }, rng); // warm-up: kernels, buffers
      const t = performance.now();
      for (let i = 0; i < steps; i++) probe.trainStep({ x, indices: b.indices }, rng);
      return (performance.now() - t) / 1000 / steps;
    } finally {
      x.dispose();
    }
  } finally {
    probe.dispose();
  }
}

/** Default peak learning rate per optimizer (SimCLR: LARS 0.3 x batch / 256; Adam 1e-3). */
export function defaultLr(opt: OptimizerName, batchSize: number): number {
  return opt === 'adam' ? 1e-3 : opt === 'lars' ? (0.3 * batchSize) / 256 : 0.05 * (batchSize / 256);
}

export interface PretrainResult {
  run: RunFolder;
  backend: BackendInfo;
  result: TrainResult;
  trainSize: number;
}

const log = (quiet: boolean | undefined, line: string): void => {
  if (quiet !== true) process.stderr.write(line + '\n');
};

/** Splits off the kNN-monitor slice (stratified, seeded) from the training data. */
function splitMonitor(data: Dataset, want: number | undefined, seed: number): { trainData: Dataset; monitorData?: Dataset } {
  const labels = data.labels?.values;
  const n = want ?? Math.min(1000, Math.round(data.size * 0.1));
  if (labels === undefined || n < 10 || data.size - n < 2) return { trainData: data };
  const held = stratifiedSubset(labels, Math.min(1, n / data.size), seed + 7);
  const isHeld = new Uint8Array(data.size);
  for (const i of held) isHeld[i] = 1;
  const rest = Int32Array.from({ length: data.size }, (_, i) => i).filter((i) => isHeld[i] === 0);
  return { trainData: subset(data, rest), monitorData: subset(data, held, `${data.name}:monitor`) };
}

/** Runs a pre-training as the command does; returns when done or interrupted. */
export async function runPretrain(o: PretrainOptions, signal?: AbortSignal): Promise<PretrainResult> {
  const run = new RunFolder(o.out);
  let config: Record<string, unknown>;
  let build: MethodBuild;
  let opts = o;
  if (o.resume) {
    if (!(await run.hasCheckpoint())) throw new ConfigError('pretrain', '--resume', `needs a checkpoint in ${o.out}, found none (start the run without --resume)`);
    config = await run.readConfig();
    build = { recipe: config.recipe as Recipe, optimizer: config.optimizer as MethodBuild['optimizer'] };
    opts = { ...o, ...(config.options as PretrainOptions), resume: true, quiet: o.quiet ?? false, out: o.out };
  } else if (await run.hasCheckpoint()) {
    throw new ConfigError('pretrain', '--out', `${o.out} already holds a run; pass --resume to continue it or choose another --out`);
  }

  // --method, --loss, --negatives, --crops: checked before anything is loaded (one line, exit 2)
  const noiseRows = typeof opts.negatives === 'number' ? opts.negatives : undefined;
  const wantLoss = opts.loss ?? (opts.method === 'npid' || (opts.method === 'cmc' && opts.objective === 'nce') ? opts.objective : undefined);
  const pairing: ResolvedPairing | undefined = o.resume ? undefined : resolvePairing(opts.method, { ...(wantLoss !== undefined ? { loss: wantLoss } : {}), ...(typeof opts.negatives === 'string' ? { negatives: opts.negatives } : {}), ...(opts.crops !== undefined ? { crops: opts.crops } : {}) });
  const loaded = await loadDataset(opts.data!, { split: opts.split, ...(opts.limit !== undefined ? { limit: opts.limit } : {}), ...(opts.imageSize !== undefined ? { imageSize: opts.imageSize } : {}) });
  // CPC: sequences made one length (the median when they vary; a resumed run keeps its length)
  const seq = opts.method === 'cpc'
    ? await cpcSequenceData(loaded, { autoLength: true, ...(o.resume ? { length: build!.recipe.inputShape[0]! } : opts.length !== undefined ? { length: opts.length } : {}), ...(opts.window !== undefined ? { window: opts.window } : {}), ...(opts.predictionSteps !== undefined ? { predictionSteps: opts.predictionSteps } : {}), ...(opts.cpcNegatives !== undefined ? { negatives: opts.cpcNegatives } : {}), ...(opts.pooling !== undefined ? { pooling: opts.pooling } : {}) })
    : undefined;
  if (seq?.note !== undefined) log(o.quiet, seq.note);
  const data = seq?.data ?? loaded;
  const { trainData, monitorData } = splitMonitor(data, opts.monitor, opts.seed);

  // every check of options against the data runs before the backend starts: a bad value is one line
  if (!o.resume) {
    if (pairing!.crops > 0) resolvePairing(opts.method, { loss: pairing!.loss, negatives: pairing!.negatives, crops: pairing!.crops, kind: data.kind });
    const arch = opts.method === 'cpc' ? 'conv1d-gru' : opts.arch ?? defaultArch(data);
    checkArch({ arch, inputShape: [...data.sampleShape], kind: data.kind });
    const inputShape = [...data.sampleShape];
    const recipe: Recipe = {
      method: opts.method,
      arch,
      inputShape,
      kind: data.kind,
      width: opts.width,
      augmentation: opts.augmentation ?? (data.kind === 'sequence' ? 'sequence' : defaultAugmentation(data.kind, inputShape)),
      flip: opts.flip,
      temperature: opts.temperature ?? defaultTemperatureFor(opts.method, pairing!.loss) ?? DEFAULT_TEMPERATURE[opts.method]!,
      loss: pairing!.loss,
      negativeSource: pairing!.negatives,
      ...(pairing!.crops > 0 ? { localCrops: pairing!.crops } : {}),
      ...(pairing!.loss === 'triplet' ? { margin: opts.margin ?? 0.2, mining: opts.mining ?? 'semi-hard' } : {}),
      ...(pairing!.loss === 'align-uniform' ? { uniformityWeight: opts.uniformityWeight ?? 1 } : {}),
      ...(opts.method === 'moco' ? { queueSize: opts.queueSize ?? MOCO_DEFAULTS.queueSize, keyMomentum: opts.momentum ?? MOCO_DEFAULTS.momentum } : {}),
      projectionDim: 128,
      ...(opts.method === 'cpc' ? {} : { head: opts.head ?? 'mlp' }),
      // an NPID MLP head always gets it: with a plain MLP head its NCE collapses (BENCHMARKS.md, NPID)
      headBatchNorm: opts.headBn !== false || opts.method === 'npid',
      encoderBatchNorm: opts.encoderBn ?? true,
      ...((arch === 'small-cnn' || arch === 'resnet18') && opts.method !== 'cmc' ? { featureBatchNorm: opts.featureBn ?? true } : {}),
      seed: opts.seed,
      ...(seq !== undefined ? { cpc: seq.recipe } : {}),
      ...(opts.method === 'npid' ? { bankSize: trainData.size, objective: pairing!.loss as NpidObjective, negatives: noiseRows ?? 4096, bankInit: opts.bankInit ?? 'features' } : {}),
      ...(opts.method === 'cmc' ? cmcRecipe({ ...opts, objective: pairing!.negatives === 'bank' ? 'nce' : 'softmax', ...(noiseRows !== undefined ? { negatives: noiseRows } : { negatives: undefined }) }, { kind: data.kind, sampleShape: data.sampleShape, trainSize: trainData.size, arch }) : {}),
    };
    build = { recipe, optimizer: { name: opts.optimizer, learningRate: opts.lr ?? defaultLr(opts.optimizer, opts.batchSize), weightDecay: opts.weightDecay, clipNorm: opts.clipNorm } };
  }
  const backend = await initBackend();
  log(o.quiet, `contrastive: ${describeBackend(backend)}`);
  log(o.quiet, `data: ${data.name}, ${data.size} samples of [${data.sampleShape.join(', ')}] (${data.kind})${monitorData ? `; ${monitorData.size} held out for the kNN monitor` : ''}`);
  if (!o.resume) {
    config = { options: { ...opts, quiet: undefined, resume: undefined }, recipe: build!.recipe, optimizer: build!.optimizer, data: { name: data.name, size: data.size, trainSize: trainData.size, monitorSize: monitorData?.size ?? 0, sampleShape: data.sampleShape, kind: data.kind }, backend: { name: backend.name, threads: backend.threads }, created: new Date().toISOString() };
  }
  const method = buildMethod(build!);
  try {
    const { stepsPerEpoch, batchSize } = planEpoch(trainData.size, opts.batchSize);
    const totalSteps = opts.steps ?? (opts.epochs ?? 10) * stepsPerEpoch;
    log(o.quiet, `${build!.recipe.method}: arch ${build!.recipe.arch} (${method.encoder.countParams()} encoder parameters)${build!.recipe.head !== undefined ? `, ${build!.recipe.head} head` : ''}, augmentation ${build!.recipe.augmentation}, τ ${build!.recipe.temperature}, ${build!.optimizer.name} lr ${build!.optimizer.learningRate}, batch ${batchSize}, ${totalSteps} steps (${stepsPerEpoch} per epoch)`);
    let resumeFrom;
    if (o.resume) {
      resumeFrom = await run.loadCheckpoint();
      await run.truncateAfter(resumeFrom.step, resumeFrom.epoch);
      log(o.quiet, `resuming ${o.out} at step ${resumeFrom.step} (epoch ${resumeFrom.epoch + 1})`);
    } else {
      await run.create();
      await run.writeConfig(config!);
      await saveModel(method.encoder, run.path('randomEncoder'));
    }
    const bar = progress();
    let result: TrainResult;
    try {
      result = await train({
        method,
        data: trainData,
        batchSize: opts.batchSize,
        ...(opts.steps !== undefined ? { steps: opts.steps } : { epochs: opts.epochs ?? 10 }),
        ...(opts.warmup !== undefined ? { warmupSteps: opts.warmup } : {}),
        seed: opts.seed,
        ...(monitorData !== undefined ? { monitor: { data: monitorData } } : {}),
        store: run,
        ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
        ...(opts.onNonfinite === 'skip' ? { onNonFinite: 'skip' as const, onSkip: (s: SkippedStep) => log(o.quiet, `\nstep ${s.step} (epoch ${s.epoch}) skipped: loss ${s.loss}${s.gradNorm !== undefined ? `, gradient norm ${s.gradNorm}` : ''} at learning rate ${s.lr.toPrecision(3)}; learning rate halved from here (x${s.lrScale} of the schedule)`) } : {}),
        ...(signal !== undefined ? { signal } : {}),
        ...(resumeFrom !== undefined ? { resume: resumeFrom } : {}),
        ...(o.quiet === true ? {} : { onStep: (r, i) => bar.step(r, i), onEpoch: (e) => bar.epoch(e) }),
      });
    } finally {
      bar.stop();
      if (resumeFrom !== undefined) for (const t of Object.values(resumeFrom.state.tensors)) t.dispose();
    }
    if (result.status === 'done') {
      await saveModel(method.encoder, run.path('encoder'));
      const cfg = await run.readConfig();
      const prev = (cfg.result as { seconds?: number } | undefined)?.seconds ?? 0;
      await run.writeConfig({ ...cfg, result: { steps: result.steps, epochs: result.epochs, lastLoss: result.lastLoss, seconds: prev + result.seconds, epochRecords: result.epochRecords, backend: { name: backend.name, threads: backend.threads } } });
      log(o.quiet, `done: ${result.steps} steps in ${result.seconds.toFixed(0)} s; encoder saved to ${run.path('encoder')}`);
      if (o.report !== false) {
        try {
          const r = await writeRunReport(o.out);
          log(o.quiet, `report: ${r.path}${r.problems.length > 0 ? ` (${r.problems.length} section notes: ${r.problems[0]}${r.problems.length > 1 ? ' ...' : ''})` : ''}`);
        } catch (err) {
          log(o.quiet, `report: not written (${(err as Error).message.split('\n')[0]}); run \`contrastive report --run ${o.out}\``);
        }
      }
    }
    return { run, backend, result, trainSize: trainData.size };
  } finally {
    method.dispose();
  }
}

/** `--negatives`: a source name or a count of noise rows. */
function negativesArg(value: string): string | number {
  if (/^\d+$/.test(value)) return int()(value);
  return oneOf(NEGATIVE_SOURCES)(value);
}

export function register(program: Command): void {
  program
    .command('pretrain')
    .description('self-supervised pre-training of an encoder into a run folder')
    .addOption(new Option('--method <name>', 'method').choices([...METHODS]).default('simclr'))
    .option('--data <spec>', "data (required unless --resume): a name (fashion-mnist, digits, cifar10-subset, ...) or '<format>:<path>'")
    .requiredOption('--out <dir>', 'run folder, e.g. runs/<name>')
    .addOption(new Option('--split <split>', 'split to train on').choices(['train', 'test']).default('train'))
    .option('--limit <n>', 'use the first N samples (stratified when labelled)', int())
    .addOption(new Option('--arch <arch>', 'encoder (default: small-cnn for images, mlp for vectors)').argParser(oneOf(ARCHS)))
    .option('--epochs <n>', 'passes over the data (default 10)', int())
    .option('--steps <n>', 'total steps (overrides --epochs)', int())
    .option('--batch-size <n>', 'samples per step (SimCLR: 256)', int(2), 256)
    .option('--temperature <t>', 'temperature τ (default: simclr 0.5, npid 0.07, invaspread 0.1, cmc 0.07)', positive())
    .addOption(new Option('--objective <name>', 'npid: nce (K noise rows, default), softmax (the whole bank) or infonce; cmc: softmax (in-batch, default) or nce (one memory bank per view). Same as --loss').choices(['nce', 'softmax', 'infonce']))
    .addOption(new Option('--loss <name>', 'target function (default: the method\'s own); valid pairings in src/recipes/pairing.ts').choices([...LOSSES]))
    .option('--queue-size <k>', 'moco: keys in the queue (default 4096)', int())
    .option('--momentum <m>', 'moco: EMA momentum of the key encoder (default 0.99)', positive())
    .option('--crops <n>', 'simclr (ntxent, images): small crops added to the two global views (multi-crop; default 0)', int(0))
    .option('--margin <m>', 'triplet: margin of the squared distances (default 0.2)', positive(true))
    .addOption(new Option('--mining <rule>', 'triplet: negative mining in the batch (default semi-hard)').choices([...TRIPLET_MININGS]))
    .option('--uniformity-weight <w>', 'align-uniform: weight of the uniformity term (default 1)', positive(true))
    .option('--views <list>', 'cmc: comma-separated views: lab (= lab-l,lab-ab), lab-l, lab-ab, gradient, half-luminance (default lab)')
    .addOption(new Option('--graph <name>', 'cmc: core (view 1 with each other view, default) or full (every pair)').choices(['core', 'full']))
    .option('--negatives <source|k>', 'where negatives come from: batch, queue (moco) or bank (npid, cmc nce); a number: npid/cmc nce noise rows per step (default 4096)', negativesArg)
    .addOption(new Option('--bank-init <mode>', 'npid: the memory bank starts as the initial network\'s features (features, default) or random rows (random, the reference code)').choices([...NPID_BANK_INITS]))
    .option('--lr <x>', 'peak learning rate (default: adam 1e-3, lars 0.3 x batch/256, sgd 0.05 x batch/256)', positive())
    .addOption(new Option('--optimizer <name>', 'optimizer').argParser(oneOf(OPTIMIZER_NAMES)).default('adam'))
    .option('--weight-decay <x>', 'weight decay, not on biases and norms (SimCLR: 1e-6)', positive(true), 1e-6)
    .option('--warmup <steps>', 'linear warm-up steps (default 10% of the run)', int(0))
    .option('--clip-norm <x>', 'clip gradients to this global norm (0: off)', positive(true), 0)
    .option('--seed <s>', 'seed of data order, augmentation and initial weights', int(0), 0)
    .option('--width <n>', 'resnet18 base width (64 is the standard ResNet-18)', int(), 64)
    .option('--image-size <n>', 'image folders: resize to N x N', int())
    .option('--monitor <n>', 'labelled samples held out for the per-epoch kNN monitor (default min(1000, 10%); 0: off)', int(0))
    .addOption(new Option('--augmentation <name>', 'augmentation preset (default: chosen from the data)').choices(['small-grey', 'small-grey-jitter', 'simclr-cifar', 'simclr-imagenet', 'vector-corruption']))
    .addOption(new Option('--on-nonfinite <mode>', 'a non-finite loss or gradient: stop (keep the last good checkpoint) or skip the step and halve the learning rate').choices(['stop', 'skip']))
    .option('--checkpoint-every <steps>', 'also checkpoint every N steps inside an epoch (default: epoch ends and Ctrl-C only)', int())
    .addOption(new Option('--head <kind>', 'projection head: mlp (2 layers, SimCLR\'s; default) or linear (one Dense to 128-d, the NPID and InvaSpread papers\' fc)').choices([...HEADS]))
    .option('--no-head-bn', "no BatchNorm in an mlp head's hidden layer (simclr, invaspread, cmc; npid keeps it)")
    .option('--no-encoder-bn', 'small-cnn: no BatchNorm after its convolutions')
    .option('--no-feature-bn', 'small-cnn, resnet18 (simclr, npid, invaspread): representation h without the BatchNorm (no scale or shift) that centres it')
    .option('--no-flip', 'grey images: no horizontal flips (digits, letters)')
    .option('--length <n>', 'sequences: crop/pad every sample to N steps (default: the median length)', int(2))
    .option('--window <n>', 'cpc: training window in steps (default: min(length, 4096) for audio, else length)', int(2))
    .option('--prediction-steps <k>', 'cpc: future offsets K predicted (default 12 for audio, fewer for short series)', int())
    .addOption(new Option('--cpc-negatives <source>', 'cpc: negatives from other sequences (batch), other steps of the same sequence (time), or both').choices(['batch', 'time', 'both']))
    .addOption(new Option('--pooling <mode>', 'cpc: representation = context at the last step or mean over time').choices(['last', 'mean']))
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--no-report', 'do not write report.html at the end')
    .action(async (opts: PretrainOptions) => {
      const ac = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts += 1;
        if (interrupts > 1) process.exit(130);
        process.stderr.write('\ninterrupted: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)\n');
        ac.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        if (!opts.resume && opts.data === undefined) throw new ConfigError('pretrain', '--data', 'is required (a dataset name or <format>:<path>)');
        if (opts.resume && !existsSync(opts.out)) throw new ConfigError('pretrain', '--out', `${opts.out} does not exist: nothing to resume`);
        const { result } = await runPretrain(opts, ac.signal);
        if (result.status === 'interrupted') {
          process.stderr.write(`stopped at step ${result.steps}; checkpoint saved. Continue with: contrastive pretrain --out ${opts.out} --resume\n`);
          process.exitCode = 130;
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
