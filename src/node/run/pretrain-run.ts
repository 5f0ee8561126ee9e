/**
 * A pre-training run into a run folder (config.json, metrics.jsonl, checkpoint.bin, encoder/) from
 * the options `contrastive pretrain` parses: the recipe is made from the options and the data
 * (src/recipes/), the method built, trained and saved; `resume` continues from the checkpoint.
 * The CLI command (src/cli/pretrain.ts) is parsing plus `runPretrain`; bench/ and `npm start`
 * call it directly.
 */
import { initBackend, describeBackend, type BackendInfo } from '../../backend.js';
import type { Dataset } from '../../data/dataset.js';
import { subset } from '../../data/subset.js';
import { stratifiedSubset } from '../../eval/stratify.js';
import { loadDataset } from '../data/load-dataset.js';
import { RunFolder } from './run-folder.js';
import { RunLock } from './run-lock.js';
import { embeddingHealthMonitor } from '../../train/embedding-health.js';
import { embeddingSpreadMonitor } from '../../train/embedding-spread.js';
import { buildAugmentation } from '../../augment/build-augmentation.js';
import { writeSkipped } from '../data/sample-ids.js';
import type { LabelMode } from '../data/list-images.js';
import type { ResizeMode } from '../data/decode-pool.js';
import { saveModel } from './model-io.js';
import { RUN_WHITENING, saveEncoder } from './save-encoder.js';
import { writeRunReport } from '../run-report/write-run-report.js';
import { train, planEpoch, type EpochRecord, type SkippedStep, type StepRecord, type TrainResult } from '../../train/trainer.js';
import { ResizableWarmupCosine, type CosineResize, type Schedule } from '../../train/schedules.js';
import type { OptimizerName } from '../../optim/optimizers.js';
import { ConfigError } from '../../errors.js';
import {
  DEFAULT_TEMPERATURE,
  defaultTemperatureFor,
  type HeadKind,
  buildMethod,
  checkArch,
  defaultArch,
  defaultAugmentation,
  isArchFile,
  LAYERS_MODEL_ARCH,
  type Arch,
  type MethodBuild,
  type Recipe,
  type RecipeArch,
} from '../../recipes/recipe.js';
import { checkLayersModelArch } from '../../models/layers-model-arch.js';
import { loadLayersModelArch, readLayersModelFile, writeLayersModelTopology, type LayersModelFile } from './layers-model-file.js';
import { RUN_FILES } from './run-folder.js';
import { sizeStepsToBudget } from './step-budget.js';
import { oneLength } from '../../data/one-length.js';
import { cpcSequenceData } from '../../recipes/cpc-recipe.js';
import { cmcRecipe } from '../../recipes/cmc-recipe.js';
import type { NpidBankInit, NpidObjective } from '../../methods/npid.js';
import { MOCO_DEFAULTS } from '../../methods/moco.js';
import { resolvePairing, type ResolvedPairing } from '../../recipes/pairing.js';
import type { TripletMining } from '../../losses/mined-triplet.js';
import type { SequencePooling } from '../../models/gru-context.js';

export interface PretrainOptions {
  method: string;
  data: string;
  split: 'train' | 'test';
  limit?: number;
  /** A built-in arch, or the path of a tfjs LayersModel model.json (ends in `.json`) to train as the encoder. @default small-cnn for images, mlp for vectors (defaultArch) */
  arch?: Arch | `${string}.json`;
  epochs?: number;
  steps?: number;
  /**
   * A budget in minutes of training on this machine: the steps are sized from a measured step
   * (sizeStepsToBudget), then re-sized from the run's own pace at the end of the warm-up and as the
   * budget is spent (train's `budgetSeconds`); conflicts with `steps` and `epochs`.
   * @default none (the length comes from `steps` or `epochs`)
   */
  minutes?: number;
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
  /** small-cnn, resnet18: the saved encoder ends with the whitening of h fitted on the training data (RUN_WHITENING). @default true */
  whiten?: boolean;
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
  pooling?: SequencePooling;
  /** Write runs/<name>/report.html when the run finishes. @default true */
  report?: boolean;
  /** Image folders: class subfolders as labels. @default 'auto' (when they hold every image) */
  labels?: LabelMode;
  /** Image folders: how images are brought to --image-size. @default 'crop' */
  resize?: ResizeMode;
}

export { measureStepSeconds } from './step-budget.js';

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

/** A resumed --minutes run's learning rate: the first sizing's warm-up + cosine with the re-sizes its first start made. */
function replayedSchedule(build: MethodBuild, sizedSteps: number, warmup: number | undefined, resizes: CosineResize[]): Schedule {
  const s = new ResizableWarmupCosine({
    baseLr: build.optimizer.learningRate,
    totalSteps: sizedSteps,
    warmupSteps: warmup ?? Math.round(sizedSteps * 0.1),
  });
  for (const r of resizes) s.resize(r.step, r.totalSteps);
  return s.lr;
}

/** Epochs between two measurements of the representation's spread: about 10 in a run. */
function spreadEvery(size: number, o: { batchSize: number; steps?: number; epochs?: number }): number {
  const { stepsPerEpoch } = planEpoch(size, o.batchSize);
  const epochs = o.steps !== undefined ? Math.ceil(o.steps / stepsPerEpoch) : (o.epochs ?? 10);
  return Math.max(1, Math.ceil(epochs / 10));
}

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

/** Where a run shows its progress (the CLI's progress bar, src/cli/progress.ts). */
export interface PretrainDisplay {
  step(record: StepRecord, info: { stepsPerEpoch: number; totalSteps: number; epochs: number }): void;
  epoch(record: EpochRecord): void;
  stop(): void;
}

/**
 * Runs a pre-training as the command does; returns when done or interrupted. `display` shows the
 * progress (none: silent). The run folder is locked meanwhile (one writer: a second process is
 * refused, naming the holder's pid).
 */
export async function runPretrain(o: PretrainOptions, signal?: AbortSignal, display?: PretrainDisplay): Promise<PretrainResult> {
  const lock = await RunLock.acquire(o.out, 'pretrain', '--out');
  try {
    return await pretrainLocked(o, signal, display);
  } finally {
    await lock.release();
  }
}

async function pretrainLocked(o: PretrainOptions, signal?: AbortSignal, display?: PretrainDisplay): Promise<PretrainResult> {
  const run = new RunFolder(o.out);
  let config: Record<string, unknown>;
  let build: MethodBuild;
  let opts = o;
  /** A resumed --minutes run: the first sizing and the re-sizes its first start made. */
  let resizes: CosineResize[] = [];
  let sizedSteps: number | undefined;
  if (o.resume) {
    if (!(await run.hasCheckpoint()))
      throw new ConfigError('pretrain', '--resume', `needs a checkpoint in ${o.out}, found none (start the run without --resume)`);
    config = await run.readConfig();
    build = { recipe: config.recipe as Recipe, optimizer: config.optimizer as MethodBuild['optimizer'] };
    opts = { ...o, ...(config.options as PretrainOptions), resume: true, quiet: o.quiet ?? false, out: o.out };
    // a --minutes run resumes on its first start's schedule: the length it was sized to, that
    // warm-up (10% of the first sizing), and the re-sizes made from its pace (replayed below)
    const budget = config.budget as { steps?: unknown; warmupSteps?: unknown; resizes?: unknown } | undefined;
    if (typeof budget?.steps === 'number') {
      const warmup = typeof budget.warmupSteps === 'number' ? budget.warmupSteps : opts.warmup;
      resizes = Array.isArray(budget.resizes) ? (budget.resizes as CosineResize[]) : [];
      opts = {
        ...opts,
        steps: resizes.at(-1)?.totalSteps ?? budget.steps,
        minutes: undefined,
        ...(warmup !== undefined ? { warmup } : {}),
      };
      sizedSteps = budget.steps;
    }
  } else if (await run.hasCheckpoint()) {
    throw new ConfigError('pretrain', '--out', `${o.out} already holds a run; pass --resume to continue it or choose another --out`);
  }
  if (!o.resume && opts.minutes !== undefined) {
    const other = opts.steps !== undefined ? '--steps' : opts.epochs !== undefined ? '--epochs' : undefined;
    if (other !== undefined)
      throw new ConfigError('pretrain', '--minutes', `conflicts with ${other}: give the run's length one way (a time budget, or ${other})`);
    if (!(opts.minutes > 0 && Number.isFinite(opts.minutes)))
      throw new ConfigError('pretrain', '--minutes', `must be a number > 0, got ${opts.minutes}`);
  }

  // --method, --loss, --negatives, --crops: checked before anything is loaded (one line, exit 2)
  const noiseRows = typeof opts.negatives === 'number' ? opts.negatives : undefined;
  const wantLoss =
    opts.loss ?? (opts.method === 'npid' || (opts.method === 'cmc' && opts.objective === 'nce') ? opts.objective : undefined);
  const pairing: ResolvedPairing | undefined = o.resume
    ? undefined
    : resolvePairing(opts.method, {
        ...(wantLoss !== undefined ? { loss: wantLoss } : {}),
        ...(typeof opts.negatives === 'string' ? { negatives: opts.negatives } : {}),
        ...(opts.crops !== undefined ? { crops: opts.crops } : {}),
        ...(opts.queueSize !== undefined ? { queueFlag: '--queue-size' } : opts.momentum !== undefined ? { queueFlag: '--momentum' } : {}),
      });
  // --arch <model.json>: the file is read and checked here (missing, not JSON, not a LayersModel: one line)
  const archFile: LayersModelFile | undefined =
    !o.resume && opts.arch !== undefined && isArchFile(opts.arch) ? await readLayersModelFile(opts.arch) : undefined;
  const loaded = await loadDataset(opts.data!, {
    split: opts.split,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.imageSize !== undefined ? { imageSize: opts.imageSize } : {}),
    ...(opts.labels !== undefined ? { folderLabels: opts.labels } : {}),
    ...(opts.resize !== undefined ? { resize: opts.resize } : {}),
    log: (l) => log(o.quiet, l),
  });
  // CPC: sequences made one length (the median when they vary; a resumed run keeps its length)
  const seq =
    opts.method === 'cpc'
      ? await cpcSequenceData(loaded, {
          autoLength: true,
          ...(o.resume ? { length: build!.recipe.inputShape[0]! } : opts.length !== undefined ? { length: opts.length } : {}),
          ...(opts.window !== undefined ? { window: opts.window } : {}),
          ...(opts.predictionSteps !== undefined ? { predictionSteps: opts.predictionSteps } : {}),
          ...(opts.cpcNegatives !== undefined ? { negatives: opts.cpcNegatives } : {}),
          ...(opts.pooling !== undefined ? { pooling: opts.pooling } : {}),
        })
      : undefined;
  // the other methods on sequences (a user's encoder, --arch): one length as well
  const fitted =
    opts.method !== 'cpc' && loaded.kind === 'sequence' && loaded.sampleShape.length === 2
      ? await oneLength(loaded, {
          autoLength: true,
          ...(o.resume ? { length: build!.recipe.inputShape[0]! } : opts.length !== undefined ? { length: opts.length } : {}),
        })
      : undefined;
  const note = seq?.note ?? fitted?.note;
  if (note !== undefined) log(o.quiet, note);
  const data = seq?.data ?? fitted?.data ?? loaded;
  const { trainData, monitorData } = splitMonitor(data, opts.monitor, opts.seed);

  // every check of options against the data runs before the backend starts: a bad value is one line
  if (!o.resume) {
    if (pairing!.crops > 0)
      resolvePairing(opts.method, { loss: pairing!.loss, negatives: pairing!.negatives, crops: pairing!.crops, kind: data.kind });
    const arch: RecipeArch =
      archFile !== undefined
        ? LAYERS_MODEL_ARCH
        : opts.method === 'cpc'
          ? 'conv1d-gru'
          : ((opts.arch as Arch | undefined) ?? defaultArch(data));
    checkArch({ arch, inputShape: [...data.sampleShape], kind: data.kind, method: opts.method });
    const inputShape = [...data.sampleShape];
    const recipe: Recipe = {
      method: opts.method,
      arch,
      ...(archFile !== undefined ? { layersModel: { source: opts.arch!, weights: archFile.hasWeights, file: RUN_FILES.arch } } : {}),
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
      ...(opts.method === 'moco'
        ? {
            queueSize: opts.queueSize ?? MOCO_DEFAULTS.queueSize,
            keyMomentum: opts.momentum ?? MOCO_DEFAULTS.momentum,
            keyBatchNorm: 'shuffle' as const,
          }
        : {}),
      projectionDim: 128,
      ...(opts.method === 'cpc' ? {} : { head: opts.head ?? 'mlp' }),
      // an NPID MLP head always gets it: with a plain MLP head its NCE collapses (BENCHMARKS.md, NPID)
      headBatchNorm: opts.headBn !== false || opts.method === 'npid',
      encoderBatchNorm: opts.encoderBn ?? true,
      ...((arch === 'small-cnn' || arch === 'resnet18') && opts.method !== 'cmc' ? { featureBatchNorm: opts.featureBn ?? true } : {}),
      ...((arch === 'small-cnn' || arch === 'resnet18') && opts.method !== 'cmc' && opts.whiten !== false
        ? { featureWhitening: { ...RUN_WHITENING } }
        : {}),
      seed: opts.seed,
      ...(seq !== undefined ? { cpc: seq.recipe } : {}),
      ...(opts.method === 'npid'
        ? {
            bankSize: trainData.size,
            objective: pairing!.loss as NpidObjective,
            negatives: noiseRows ?? 4096,
            bankInit: opts.bankInit ?? 'features',
          }
        : {}),
      ...(opts.method === 'cmc'
        ? cmcRecipe(
            {
              ...opts,
              objective: pairing!.negatives === 'bank' ? 'nce' : 'softmax',
              ...(noiseRows !== undefined ? { negatives: noiseRows } : { negatives: undefined }),
            },
            { kind: data.kind, sampleShape: data.sampleShape, trainSize: trainData.size, arch },
          )
        : {}),
    };
    build = {
      recipe,
      optimizer: {
        name: opts.optimizer,
        learningRate: opts.lr ?? defaultLr(opts.optimizer, opts.batchSize),
        weightDecay: opts.weightDecay,
        clipNorm: opts.clipNorm,
      },
    };
  }
  const backend = await initBackend();
  if (build!.recipe.arch === LAYERS_MODEL_ARCH) {
    // the user's model (resume: the run's copy of its topology), built once and checked against the data
    const file = archFile ?? (await readLayersModelFile(run.path('arch'), 'pretrain', '--resume'));
    const layersModel = await loadLayersModelArch(file, build!.recipe.layersModel?.source ?? file.path);
    if (build!.recipe.method !== 'cmc') checkLayersModelArch(layersModel, build!.recipe.inputShape); // cmc: each view's shape, in buildCmc
    build = { ...build!, layersModel };
  }
  log(o.quiet, `contrastive: ${describeBackend(backend)}`);
  log(
    o.quiet,
    `data: ${data.name}, ${data.size} samples of [${data.sampleShape.join(', ')}] (${data.kind})${monitorData ? `; ${monitorData.size} held out for the kNN monitor` : ''}`,
  );
  if (!o.resume) {
    config = {
      options: { ...opts, quiet: undefined, resume: undefined },
      recipe: build!.recipe,
      optimizer: build!.optimizer,
      data: {
        name: data.name,
        size: data.size,
        trainSize: trainData.size,
        monitorSize: monitorData?.size ?? 0,
        sampleShape: data.sampleShape,
        kind: data.kind,
      },
      backend: { name: backend.name, threads: backend.threads },
      created: new Date().toISOString(),
    };
  }
  if (!o.resume && opts.minutes !== undefined) {
    // the steps that fit the budget on this backend, from a step of a throwaway copy of the method
    const { steps, stepSeconds } = await sizeStepsToBudget(build!, trainData, opts.batchSize, opts.minutes * 60);
    const warmupSteps = opts.warmup ?? Math.round(steps * 0.1);
    opts = { ...opts, steps, warmup: warmupSteps };
    config!.budget = { minutes: opts.minutes, stepSeconds, steps, warmupSteps };
    log(
      o.quiet,
      `budget ${opts.minutes} min: one step takes ${stepSeconds.toFixed(3)} s here -> ${steps} steps, re-sized from the run's own pace after the ${warmupSteps}-step warm-up and as the budget is spent`,
    );
  }
  const method = buildMethod(build!);
  try {
    const { stepsPerEpoch, batchSize } = planEpoch(trainData.size, opts.batchSize);
    const totalSteps = opts.steps ?? (opts.epochs ?? 10) * stepsPerEpoch;
    log(
      o.quiet,
      [
        `${build!.recipe.method}: arch ${build!.recipe.layersModel?.source ?? build!.recipe.arch} (${method.encoder.countParams()} encoder parameters)`,
        ...(build!.recipe.head !== undefined ? [`${build!.recipe.head} head`] : []),
        `augmentation ${build!.recipe.augmentation}`,
        // CPC's scores are unnormalised (the paper's exp(z^T W_k c)): no τ
        ...(build!.recipe.temperature !== undefined ? [`τ ${build!.recipe.temperature}`] : []),
        `${build!.optimizer.name} lr ${build!.optimizer.learningRate}`,
        `batch ${batchSize}`,
        `${totalSteps} steps (${stepsPerEpoch} per epoch)`,
      ].join(', '),
    );
    let resumeFrom;
    if (o.resume) {
      resumeFrom = await run.loadCheckpoint();
      await run.truncateAfter(resumeFrom.step, resumeFrom.epoch);
      log(o.quiet, `resuming ${o.out} at step ${resumeFrom.step} (epoch ${resumeFrom.epoch + 1})`);
    } else {
      await run.create();
      await run.writeConfig(config!);
      if (archFile !== undefined) await writeLayersModelTopology(run.path('arch'), archFile);
      await saveEncoder(method.encoder, run.path('randomEncoder'), build!.recipe, trainData);
      if (method.head !== undefined) await saveModel(method.head, run.path('randomHead'));
    }
    let result: TrainResult;
    try {
      result = await train({
        method,
        data: trainData,
        batchSize: opts.batchSize,
        ...(opts.steps !== undefined ? { steps: opts.steps } : { epochs: opts.epochs ?? 10 }),
        ...(opts.warmup !== undefined ? { warmupSteps: opts.warmup } : {}),
        ...(opts.minutes !== undefined
          ? {
              budgetSeconds: opts.minutes * 60,
              onResize: async (r: { step: number; totalSteps: number; stepSeconds: number }) => {
                const cfg = await run.readConfig();
                const b = cfg.budget as { resizes?: unknown[] };
                const resizes = [...(b.resizes ?? []), { step: r.step, totalSteps: r.totalSteps, stepSeconds: r.stepSeconds }];
                await run.writeConfig({ ...cfg, budget: { ...b, resizes } });
                log(
                  o.quiet,
                  `\nbudget: at step ${r.step} the run's steps take ${r.stepSeconds.toFixed(3)} s here -> ${r.totalSteps} steps in all`,
                );
              },
            }
          : {}),
        ...(sizedSteps !== undefined && resizes.length > 0 ? { schedule: replayedSchedule(build!, sizedSteps, opts.warmup, resizes) } : {}),
        seed: opts.seed,
        ...(monitorData !== undefined ? { monitor: { data: monitorData } } : {}),
        // unlabelled data: no kNN monitor; alignment, uniformity and the collapse signal instead;
        // CPC (no augmentations): the collapse signals of its representation, about 10 times a run
        ...(build!.recipe.method === 'cpc'
          ? { epochMetrics: embeddingSpreadMonitor(trainData, { seed: opts.seed, every: spreadEvery(trainData.size, opts) }) }
          : monitorData === undefined && trainData.labels === undefined
            ? { epochMetrics: embeddingHealthMonitor(trainData, buildAugmentation(build!.recipe), { seed: opts.seed }) }
            : {}),
        store: run,
        ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
        ...(opts.onNonfinite === 'skip'
          ? {
              onNonFinite: 'skip' as const,
              onSkip: (s: SkippedStep) =>
                log(
                  o.quiet,
                  `\nstep ${s.step} (epoch ${s.epoch}) skipped: loss ${s.loss}${s.gradNorm !== undefined ? `, gradient norm ${s.gradNorm}` : ''} ` +
                    `at learning rate ${s.lr.toPrecision(3)}; learning rate halved from here (x${s.lrScale} of the schedule)`,
                ),
            }
          : {}),
        ...(signal !== undefined ? { signal } : {}),
        ...(resumeFrom !== undefined ? { resume: resumeFrom } : {}),
        ...(o.quiet === true || display === undefined ? {} : { onStep: (r, i) => display.step(r, i), onEpoch: (e) => display.epoch(e) }),
      });
    } finally {
      display?.stop();
      if (resumeFrom !== undefined) for (const t of Object.values(resumeFrom.state.tensors)) t.dispose();
    }
    if (result.status === 'done') {
      await saveEncoder(method.encoder, run.path('encoder'), build!.recipe, trainData);
      if (method.head !== undefined) await saveModel(method.head, run.path('head'));
      const cfg = await run.readConfig();
      const prev = (cfg.result as { seconds?: number } | undefined)?.seconds ?? 0;
      await run.writeConfig({
        ...cfg,
        result: {
          steps: result.steps,
          epochs: result.epochs,
          lastLoss: result.lastLoss,
          seconds: prev + result.seconds,
          epochRecords: result.epochRecords,
          backend: { name: backend.name, threads: backend.threads },
        },
      });
      const whitened = build!.recipe.featureWhitening;
      log(
        o.quiet,
        `done: ${result.steps} steps in ${result.seconds.toFixed(0)} s; encoder saved to ${run.path('encoder')}` +
          (whitened !== undefined
            ? ` (ending with the whitening of h fitted on ${Math.min(whitened.samples, trainData.size)} training samples, α ${whitened.shrinkage})`
            : ''),
      );
      if (o.report !== false) {
        try {
          const r = await writeRunReport(o.out);
          log(
            o.quiet,
            `report: ${r.path}${r.problems.length > 0 ? ` (${r.problems.length} section notes: ${r.problems[0]}${r.problems.length > 1 ? ' ...' : ''})` : ''}`,
          );
        } catch (err) {
          log(o.quiet, `report: not written (${(err as Error).message.split('\n')[0]}); run \`contrastive report --run ${o.out}\``);
        }
      }
    }
    return { run, backend, result, trainSize: trainData.size };
  } finally {
    method.dispose();
    // image folders: the files left out (not images, unreadable), listed in the run folder
    const nSkipped = await writeSkipped(run.path('skipped'), loaded).catch(() => 0);
    if (nSkipped > 0) log(o.quiet, `skipped ${nSkipped} files that are not readable images (listed in ${run.path('skipped')})`);
  }
}
