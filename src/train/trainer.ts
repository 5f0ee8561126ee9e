/**
 * The training loop every method shares: epochs (or a step budget) over a Dataset in a seeded
 * random order, a learning-rate schedule, per-step metrics, an online kNN monitor each epoch,
 * checkpoints at each epoch end and on abort (Ctrl-C), and exact resume.
 *
 * One `Rng` drives the data order and the augmentations; its state is part of every checkpoint.
 * The loop touches no file: a `TrainerStore` (the run folder in Node, `src/node/run/`) persists.
 */
import * as tf from '../tf.js';
import { Rng, type RngState } from '../random.js';
import type { Dataset } from '../data/dataset.js';
import { batches, epochOrder } from '../data/batches.js';
import { knnAccuracy } from '../eval/knn.js';
import { KNN_PROTOCOL } from '../eval/knn-protocol.js';
import { stratifiedSplit } from '../eval/stratify.js';
import { selectLabels } from '../eval/features.js';
import type { Method, MethodState, StepMetrics } from '../methods/method.js';
import { ResizableWarmupCosine, warmupCosine, type Schedule } from './schedules.js';
import { ConfigError } from '../errors.js';
import { assertInteger, assertNonNegative, describe } from '../validate.js';

/** Everything needed to continue a run exactly where it stopped. */
export interface Checkpoint {
  /** Epoch being run (0-based); equals the number of finished epochs when `stepInEpoch` is 0. */
  epoch: number;
  /** Steps of `epoch` already done. */
  stepInEpoch: number;
  /** Steps done in the whole run. */
  step: number;
  /** The run's generator now. */
  rng: RngState;
  /** The generator at the start of `epoch`, before its shuffle (rebuilds the epoch's order). */
  epochRng: RngState;
  /** Method weights, optimizer slots, extra state. */
  state: MethodState;
  /** Factor on the schedule's learning rate: halved at each step skipped for a non-finite loss or gradient. @default 1 */
  lrScale?: number;
}

/** One line of metrics.jsonl. */
export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm?: number;
  /** Input samples per second over this step (each sample makes two views in SimCLR). */
  samplesPerSec: number;
  /** Seconds since the start of this (possibly resumed) process's training. */
  elapsed: number;
  /** 1 on a step skipped for a non-finite loss or gradient (`onNonFinite: 'skip'`): nothing was updated. */
  skipped?: number;
  [metric: string]: number | undefined;
}

/** A step skipped for a non-finite loss or gradient (`onNonFinite: 'skip'`). */
export interface SkippedStep {
  step: number;
  epoch: number;
  loss: number;
  gradNorm?: number;
  /** Learning rate the bad step ran with. */
  lr: number;
  /** The factor on the schedule from the next step on (halved). */
  lrScale: number;
}

/** What the trainer reports at each epoch end. */
export interface EpochRecord {
  epoch: number;
  step: number;
  /** Mean loss over the epoch's steps. */
  loss: number;
  /** kNN top-1 accuracy on the monitor slice, when there is one. */
  knn?: number;
  /** Why the monitor gave no accuracy (its slice is too small to mean anything). */
  knnNote?: string;
  /** From `epochMetrics` (unlabelled data): alignment, uniformity and the collapse signal. */
  alignment?: number;
  uniformity?: number;
  embeddingStd?: number;
  /** From `epochMetrics` (CPC): the effective rank of the representation of a training sample. */
  effectiveRank?: number;
  /** From `epochMetrics`: why the representation looks degenerate, when it does. */
  spreadNote?: string;
  seconds: number;
}

/** Where the trainer persists (the Node run folder implements it). */
export interface TrainerStore {
  /** Appends per-step records. */
  appendMetrics(records: StepRecord[]): Promise<void>;
  /** Writes a checkpoint atomically; the previous one stays intact if this fails. */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** Records an epoch summary. */
  appendEpoch?(record: EpochRecord): Promise<void>;
}

export interface KnnMonitorOptions {
  /**
   * A labelled slice held out of training, split once (class-stratified, seeded) into the kNN
   * memory (`bankFraction` of each class) and the queries.
   */
  data: Dataset;
  /** Share of `data` used as the labelled memory. @default 0.8 */
  bankFraction?: number;
  /** Neighbours. @default KNN_PROTOCOL's k (20) */
  k?: number;
  /** Fewest queries for which an accuracy is reported; below, the epoch record says why there is none. @default 20 */
  minQueries?: number;
}

export interface TrainOptions {
  method: Method;
  data: Dataset;
  /** Samples per step. @default 256 (SimCLR's smallest reported batch; fits 2 cores) */
  batchSize?: number;
  /** Passes over the data (ignored when `steps` is set). @default 10 */
  epochs?: number;
  /** Total steps; overrides `epochs`. */
  steps?: number;
  /** Peak learning rate. @default the optimizer's current learning rate */
  learningRate?: number;
  /** Linear warm-up steps. @default 10% of the run (SimCLR: 10 of 100 epochs) */
  warmupSteps?: number;
  /** A schedule replacing warm-up + cosine. */
  schedule?: Schedule;
  /**
   * A time budget for the run, in seconds from the start of training: `steps` is then the length
   * sized before the run from a step measured apart (a throwaway model's first steps, which were up to
   * 60% slower than the run's on the project's 2-core machine, and sometimes 10% faster). The trainer
   * re-sizes the run to the steps that fit the rest of the budget at its own pace: at the end of
   * the warm-up (the pace of its second half, when it has 4 steps or more), then when a quarter,
   * half and three quarters of the budget have gone (the pace since the previous re-size), so that
   * load that comes or goes during the run moves its end less. The learning rate follows
   * `ResizableWarmupCosine`: no jump at a re-size. Needs the warm-up + cosine schedule; ignored
   * when resuming (the caller replays the first start's re-sizes as `schedule`).
   */
  budgetSeconds?: number;
  /** Called at each of `budgetSeconds`' re-sizes that changed the length: at `step`, the new length and the pace measured (seconds a step). */
  onResize?: (resized: { step: number; totalSteps: number; stepSeconds: number }) => void | Promise<void>;
  /** The clock, in milliseconds: the run's seconds, the steps' samples/s and the budget's pace (tests inject one). @default performance.now */
  now?: () => number;
  /** Seed of the run's generator (ignored when resuming). @default 0 */
  seed?: number;
  /** Online kNN accuracy each epoch. */
  monitor?: KnnMonitorOptions;
  store?: TrainerStore;
  /** Aborting (Ctrl-C) stops after the current step, with a checkpoint. */
  signal?: AbortSignal;
  /** Continue from this checkpoint. */
  resume?: Checkpoint;
  /** Per-step callback (progress bar). */
  onStep?: (record: StepRecord, info: { stepsPerEpoch: number; totalSteps: number; epochs: number }) => void;
  /** Per-epoch callback. */
  onEpoch?: (record: EpochRecord) => void;
  /** Measures the method at each epoch end (see embeddingHealthMonitor); merged into the epoch record. */
  epochMetrics?: (
    method: Method,
  ) => Promise<Pick<EpochRecord, 'alignment' | 'uniformity' | 'embeddingStd' | 'effectiveRank' | 'spreadNote'>>;
  /** Metrics records buffered before a store write. @default 50 */
  flushEvery?: number;
  /** Also checkpoint every this many steps inside an epoch (long epochs on slow machines). @default off */
  checkpointEvery?: number;
  /**
   * A step whose loss or gradient norm is not finite: `'stop'` throws a ConfigError naming the
   * step (the last good checkpoint stays; the method's weights in memory may be corrupt);
   * `'skip'` restores the method's state from before the step (weights, optimizer, BatchNorm
   * statistics, banks), halves the learning rate for the rest of the run, logs the step
   * (`skipped: 1` in the metrics, `onSkip`) and continues. Skip mode keeps one extra reference to
   * the state per step (tfjs clones share storage; a host-side bank is copied).
   * @default 'stop' (issue 10: a diverged run stops and says so; skipping is opt-in)
   */
  onNonFinite?: 'stop' | 'skip';
  /** Called for each skipped step (`onNonFinite: 'skip'`). */
  onSkip?: (record: SkippedStep) => void;
}

export interface TrainResult {
  /** 'done', or 'interrupted' when `signal` aborted (a checkpoint was written). */
  status: 'done' | 'interrupted';
  steps: number;
  epochs: number;
  seconds: number;
  lastLoss: number;
  epochRecords: EpochRecord[];
}

/** Steps per epoch and the batch size actually used (a dataset smaller than the batch is one batch). */
export function planEpoch(size: number, batchSize: number): { stepsPerEpoch: number; batchSize: number } {
  const b = Math.min(batchSize, size);
  return { stepsPerEpoch: Math.floor(size / b), batchSize: b };
}

/**
 * The kNN monitor's memory and queries: a class-stratified split of the slice, so that the queries
 * never come from classes the memory lacks (a slice in dataset order, as UCR files are sorted by
 * class, used to put the last classes in the queries alone: 0.0% at every epoch). A note instead
 * when there are too few queries, or none whose class the memory holds.
 */
export function monitorSplit(
  labels: Int32Array,
  bankFraction: number,
  minQueries: number,
): { bank: Int32Array; queries: Int32Array } | { note: string } {
  const { fit, validation } = stratifiedSplit(labels, 1 - bankFraction, 17);
  if (validation.length < minQueries) {
    return {
      note: `monitor slice too small (${labels.length} held out, ${validation.length} queries; needs ${minQueries}): no kNN figure`,
    };
  }
  return { bank: fit, queries: validation };
}

async function monitorKnn(
  method: Method,
  m: KnnMonitorOptions,
  batchSize: number,
): Promise<{ knn: number } | { knnNote: string } | undefined> {
  const labels = m.data.labels?.values;
  if (labels === undefined) return undefined;
  const split = monitorSplit(labels, m.bankFraction ?? 0.8, m.minQueries ?? 20);
  if ('note' in split) return { knnNote: split.note };
  const feats: tf.Tensor2D[] = [];
  for await (const b of batches(m.data, { batchSize })) {
    const x = tf.tensor(b.x, b.shape);
    feats.push(method.embed(x));
    x.dispose();
  }
  const all = tf.concat(feats, 0);
  tf.dispose(feats);
  const bank = tf.gather(all, split.bank);
  const queries = tf.gather(all, split.queries);
  all.dispose();
  try {
    const k = m.k ?? KNN_PROTOCOL.k;
    return {
      knn: await knnAccuracy(
        bank as tf.Tensor2D,
        selectLabels(labels, split.bank),
        queries as tf.Tensor2D,
        selectLabels(labels, split.queries),
        { k },
      ),
    };
  } finally {
    tf.dispose([bank, queries]);
  }
}

/** Trains `method` on `data`. See `TrainOptions` for the defaults. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const fn = 'train';
  const { method, data, batchSize: wantBatch = 256, epochs: wantEpochs = 10, store, signal, resume, onStep, onEpoch } = options;
  if (method === null || typeof method !== 'object' || typeof method.trainStep !== 'function') {
    throw new ConfigError(fn, 'method', `must be a Method, got ${describe(method)}`);
  }
  if (data === null || typeof data !== 'object' || typeof data.getBatch !== 'function') {
    throw new ConfigError(fn, 'data', `must be a Dataset, got ${describe(data)}`);
  }
  assertInteger(wantBatch, fn, 'batchSize', 2);
  if (data.size < 2) throw new ConfigError(fn, 'data', `must hold at least 2 samples, got ${data.size}`);
  if (data.sampleShape.some((d) => d < 0)) {
    throw new ConfigError(fn, 'data', `must have a fixed sample shape (crop or pad sequences first), got [${data.sampleShape.join(', ')}]`);
  }
  const { stepsPerEpoch, batchSize } = planEpoch(data.size, wantBatch);
  let totalSteps: number;
  if (options.steps !== undefined) {
    assertInteger(options.steps, fn, 'steps');
    totalSteps = options.steps;
  } else {
    assertInteger(wantEpochs, fn, 'epochs');
    totalSteps = wantEpochs * stepsPerEpoch;
  }
  let epochs = Math.ceil(totalSteps / stepsPerEpoch);
  const baseLr = options.learningRate ?? method.optimizer.learningRate;
  assertNonNegative(baseLr, fn, 'learningRate');
  const warmupSteps = options.warmupSteps ?? Math.round(totalSteps * 0.1);
  assertInteger(warmupSteps, fn, 'warmupSteps', 0);
  if (warmupSteps > totalSteps) throw new ConfigError(fn, 'warmupSteps', `must be <= the run's ${totalSteps} steps, got ${warmupSteps}`);
  const budget = options.budgetSeconds;
  if (budget !== undefined) {
    if (!(typeof budget === 'number' && budget > 0 && Number.isFinite(budget)))
      throw new ConfigError(fn, 'budgetSeconds', `must be a finite number > 0, got ${describe(budget)}`);
    if (options.schedule !== undefined)
      throw new ConfigError(fn, 'budgetSeconds', 'needs the warm-up + cosine schedule (it re-sizes the cosine), got a custom schedule');
  }
  // a budget re-sizes the run from its pace: at the end of the warm-up (the pace of its second
  // half, when it has 4 steps or more), then as a quarter, half and three quarters of the budget
  // have gone (the pace since the previous point, over 4 steps or more)
  const resizing = budget !== undefined && resume === undefined;
  const resizable = resizing ? new ResizableWarmupCosine({ baseLr, totalSteps, warmupSteps }) : undefined;
  const schedule = resizable?.lr ?? options.schedule ?? warmupCosine({ baseLr, totalSteps, warmupSteps });
  const resizeFrom = Math.floor(warmupSteps / 2);
  let pace = { t: 0, step: 0 }; // where the pace of the next re-size is timed from
  let nextShare = 0.25; // the next share of the budget spent that re-sizes the run
  const flushEvery = options.flushEvery ?? 50;
  if (options.checkpointEvery !== undefined) assertInteger(options.checkpointEvery, fn, 'checkpointEvery');
  const onNonFinite = options.onNonFinite ?? 'stop';
  if (onNonFinite !== 'stop' && onNonFinite !== 'skip')
    throw new ConfigError(fn, 'onNonFinite', `must be 'stop' or 'skip', got ${describe(onNonFinite)}`);
  let lrScale = 1;
  if (resume?.lrScale !== undefined) {
    if (!(resume.lrScale > 0 && resume.lrScale <= 1))
      throw new ConfigError(fn, 'resume', `must have an lrScale in (0, 1], got ${describe(resume.lrScale)}`);
    lrScale = resume.lrScale;
  }

  let rng: Rng;
  let epoch = 0;
  let step = 0;
  let startInEpoch = 0;
  let epochRngState: RngState | undefined;
  if (resume !== undefined) {
    method.setState(resume.state);
    rng = Rng.fromState(resume.rng);
    epoch = resume.epoch;
    step = resume.step;
    startInEpoch = resume.stepInEpoch;
    epochRngState = resume.stepInEpoch > 0 ? resume.epochRng : undefined;
  } else {
    rng = new Rng(options.seed ?? 0);
  }

  const clock = options.now ?? (() => performance.now());
  const t0 = clock();
  if (resume === undefined) await method.prepare?.(data, { batchSize }); // counted in the run's seconds
  pace = { t: clock(), step: 0 };
  const pending: StepRecord[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length > 0 && store !== undefined) await store.appendMetrics(pending.splice(0));
    pending.length = 0;
  };
  const checkpoint = async (stepInEpoch: number, epochRng: RngState): Promise<void> => {
    await flush();
    if (store === undefined) return;
    const state = method.getState();
    try {
      await store.saveCheckpoint({ epoch, stepInEpoch, step, rng: rng.state(), epochRng, state, ...(lrScale !== 1 ? { lrScale } : {}) });
    } finally {
      tf.dispose(Object.values(state.tensors));
    }
  };
  const epochRecords: EpochRecord[] = [];
  let lastLoss = NaN;
  const fetch = (order: Int32Array, k: number) => data.getBatch(order.subarray(k * batchSize, (k + 1) * batchSize));
  /** Whether the next re-sizing share of the budget (a quarter, half, three quarters) has gone by `now`. */
  const shareSpent = (now: number): boolean => nextShare < 1 && now - t0 >= nextShare * budget! * 1000;
  /** Moves the next re-sizing share past every share already gone by `now`. */
  const passShares = (now: number): void => {
    while (shareSpent(now)) nextShare += 0.25;
  };
  /** Re-sizes the run to the steps that fit the rest of the budget at the pace since `from`; returns the new length. */
  const resize = async (now: number, from: { t: number; step: number }): Promise<number> => {
    const stepMs = (now - from.t) / (step - from.step);
    const leftMs = budget! * 1000 - (now - t0);
    // (a step count that fits exactly stays whole despite rounding in the division)
    const total = step + Math.max(1, Math.floor(leftMs / stepMs + 1e-9));
    if (total !== resizable!.totalSteps) {
      resizable!.resize(step, total);
      await options.onResize?.({ step, totalSteps: total, stepSeconds: stepMs / 1000 });
    }
    return total;
  };

  while (step < totalSteps) {
    // the epoch's order: from the saved pre-shuffle state when resuming mid-epoch
    const e0: RngState = epochRngState ?? rng.state();
    const order = epochOrder(data.size, { shuffle: true, rng: epochRngState === undefined ? rng : Rng.fromState(e0) });
    epochRngState = undefined;
    const tEpoch = clock();
    let lossSum = 0;
    let lossCount = 0;
    let k = startInEpoch;
    startInEpoch = 0;
    let next = k < stepsPerEpoch && step < totalSteps ? fetch(order, k) : undefined;
    next?.catch(() => undefined);
    while (next !== undefined) {
      const b = await next;
      next = k + 1 < stepsPerEpoch && step + 1 < totalSteps ? fetch(order, k + 1) : undefined;
      next?.catch(() => undefined);
      const lr = schedule(step) * lrScale;
      method.optimizer.learningRate = lr;
      const tStep = clock();
      const x = tf.tensor(b.x, b.shape);
      // skip mode: the state before the step (clones share storage), restored if the step diverges
      const before = onNonFinite === 'skip' ? method.getState() : undefined;
      let metrics: StepMetrics;
      try {
        // the step reads its metrics back asynchronously; x stays alive until it settles
        metrics = await method.trainStep({ x, indices: b.indices, ...(b.labels ? { labels: b.labels } : {}) }, rng);
      } catch (err) {
        if (before !== undefined) tf.dispose(Object.values(before.tensors));
        throw err;
      } finally {
        x.dispose();
      }
      const bad = !Number.isFinite(metrics.loss)
        ? `the loss became ${metrics.loss}`
        : metrics.gradNorm !== undefined && !Number.isFinite(metrics.gradNorm)
          ? `the gradient norm became ${metrics.gradNorm}`
          : undefined;
      if (bad !== undefined && before === undefined) {
        await flush();
        throw new ConfigError(
          fn,
          'learningRate',
          `${bad} at step ${step + 1} (epoch ${epoch + 1}, learning rate ${lr.toPrecision(3)}); training stopped, the last good checkpoint is kept; ` +
            `try a lower learning rate (or skip such steps: onNonFinite 'skip', CLI --on-nonfinite skip)`,
        );
      }
      if (before !== undefined) {
        try {
          if (bad !== undefined) method.setState(before);
        } finally {
          tf.dispose(Object.values(before.tensors));
        }
      }
      step += 1;
      k += 1;
      const now = clock();
      const stepsBefore = totalSteps;
      if (resizing && step <= warmupSteps) {
        if (step === resizeFrom) pace = { t: now, step };
        if (step === warmupSteps) {
          if (warmupSteps >= 4) totalSteps = await resize(now, pace);
          pace = { t: now, step };
          passShares(now);
        }
      } else if (resizing && shareSpent(now)) {
        if (step - pace.step >= 4) {
          totalSteps = await resize(now, pace);
          pace = { t: now, step };
        }
        passShares(now);
      }
      if (resizing && totalSteps !== stepsBefore) {
        epochs = Math.ceil(totalSteps / stepsPerEpoch);
        // the batch fetched ahead is the next one only if the run goes on within this epoch
        if (next === undefined && k < stepsPerEpoch && step < totalSteps) {
          next = fetch(order, k);
          next.catch(() => undefined);
        }
      }
      const timing = { samplesPerSec: (b.indices.length * 1000) / (now - tStep), elapsed: (now - t0) / 1000 };
      if (bad !== undefined) {
        // skip mode: nothing changed; the rest of the run goes at half the learning rate
        lrScale /= 2;
        pending.push({ step, epoch: epoch + 1, loss: metrics.loss, lr, skipped: 1, ...timing });
        if (pending.length >= flushEvery) await flush();
        options.onSkip?.({
          step,
          epoch: epoch + 1,
          loss: metrics.loss,
          ...(metrics.gradNorm !== undefined ? { gradNorm: metrics.gradNorm } : {}),
          lr,
          lrScale,
        });
      } else {
        lastLoss = metrics.loss;
        lossSum += metrics.loss;
        lossCount += 1;
        const record: StepRecord = { ...metrics, step, epoch: epoch + 1, loss: metrics.loss, lr, ...timing };
        pending.push(record);
        if (pending.length >= flushEvery) await flush();
        onStep?.(record, { stepsPerEpoch, totalSteps, epochs });
      }
      if (options.checkpointEvery !== undefined && step % options.checkpointEvery === 0 && k < stepsPerEpoch && step < totalSteps) {
        await checkpoint(k, e0);
      }
      // mid-epoch abort: checkpoint here; at an epoch's last step the epoch-end checkpoint below serves
      if (signal?.aborted === true && step < totalSteps && k < stepsPerEpoch) {
        await checkpoint(k, e0);
        return { status: 'interrupted', steps: step, epochs: epoch, seconds: (clock() - t0) / 1000, lastLoss, epochRecords };
      }
    }
    const knn = options.monitor === undefined ? undefined : await monitorKnn(method, options.monitor, batchSize);
    const extra = options.epochMetrics === undefined ? {} : await options.epochMetrics(method);
    const rec: EpochRecord = {
      epoch: epoch + 1,
      step,
      loss: lossCount > 0 ? lossSum / lossCount : NaN,
      seconds: (clock() - tEpoch) / 1000,
      ...knn,
      ...extra,
    };
    epochRecords.push(rec);
    epoch += 1;
    if (store?.appendEpoch !== undefined) await store.appendEpoch(rec);
    onEpoch?.(rec);
    await checkpoint(0, rng.state());
    if (signal?.aborted === true && step < totalSteps) {
      return { status: 'interrupted', steps: step, epochs: epoch, seconds: (clock() - t0) / 1000, lastLoss, epochRecords };
    }
  }
  await flush();
  return { status: 'done', steps: step, epochs: epoch, seconds: (clock() - t0) / 1000, lastLoss, epochRecords };
}
