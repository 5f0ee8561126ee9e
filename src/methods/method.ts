/**
 * The `Method` interface: what every self-supervised method (SimCLR, NPID, InvaSpread, CPC, CMC)
 * offers the trainer, the evaluation and the CLI. A method is a proxy task plus a target
 * function; it owns its models, its optimizer and any extra state (a memory bank), and it knows
 * how to make its inputs from a raw batch (augmented views, windows, colour channels).
 *
 * The trainer only: calls `prepare` (when the method has it) before a fresh run, sets
 * `optimizer.learningRate`, calls `trainStep` with a raw batch and the run's one `Rng`, saves and
 * restores `getState()`/`setState()`, and saves `encoder`.
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import type { Dataset } from '../data/dataset.js';
import type { Optimizer, OptimizerState } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';

/** One raw (un-augmented) training batch, as the trainer hands it to a method. */
export interface TrainBatch {
  /** Samples `[B, ...sampleShape]` (images `[B, H, W, C]` in [0, 1], sequences `[B, T, C]`, vectors `[B, D]`). */
  x: tf.Tensor;
  /** Index of each row in the dataset (memory-bank methods address rows by it). */
  indices: Int32Array;
  /** Class ids, where the data has them. Self-supervised methods must not use them for the loss. */
  labels?: Int32Array;
}

/** What one training step reports. `loss` is NaN or infinite when the step diverged (no update was applied then). */
export interface StepMetrics {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm?: number;
  /** More per-step numbers (accuracy of the proxy task, ...). */
  [metric: string]: number | undefined;
}

/** Everything needed to continue training exactly: tensors by name (copies the caller owns) and JSON metadata. */
export interface MethodState {
  tensors: Record<string, tf.Tensor>;
  meta: Record<string, unknown>;
}

export interface Method {
  /** The method's name as the CLI spells it (`simclr`). */
  readonly name: string;
  /** The method's hyper-parameters, JSON-serialisable (written to config.json). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The model mapping a batch of samples to the representation h, used for evaluation and saved at the end. */
  readonly encoder: tf.LayersModel;
  /**
   * The projection head g (h -> z), where the method has one: z is the embedding its target
   * function compares by cosine similarity, which the kNN probe reads (eval). Saved beside the encoder.
   */
  readonly head?: tf.LayersModel | undefined;
  /** The optimizer; the trainer sets its learning rate every step. */
  readonly optimizer: Optimizer;
  /**
   * One optimisation step on a raw batch: make the inputs (views...) with `rng`, compute the
   * loss, apply the gradients. Leaves no tensor behind. Does not dispose `batch.x`. When the
   * loss is not finite the update is skipped and the loss is reported as it is.
   *
   * Reads nothing back synchronously (no `dataSync`/`arraySync`, which stall WebGL and WebGPU):
   * the step's work is queued before this returns, and the promise resolves with the metrics once
   * they are read with `await tensor.data()` and host-side state (a memory bank, a key queue) is
   * written. Await it before the next step. Bad arguments throw synchronously.
   */
  trainStep(batch: TrainBatch, rng: Rng): Promise<StepMetrics>;
  /**
   * Optional set-up from the training data, called by the trainer once before the first step of
   * a fresh run (not when resuming: the state holds it then). NPID fills its memory bank with the
   * initial network's features here.
   */
  prepare?(data: Dataset, options: { batchSize: number }): Promise<void>;
  /** The representation h of `x` (inference mode): `[N, D]`. The caller owns the result. */
  embed(x: tf.Tensor): tf.Tensor2D;
  /** Model weights, optimizer slots and extra state; tensors are copies. */
  getState(): MethodState;
  /** Restores a state from `getState` (tensors are copied, not taken). */
  setState(state: MethodState): void;
  /** Frees the models, the optimizer and any other state. */
  dispose(): void;
}

const OPT = 'optimizer/';

/**
 * Stable names of the weights of named models: `<model>/<index>` (weight order is fixed by the
 * architecture; tfjs's variable names get counters and differ between two builds in one process).
 */
function stableNames(models: Record<string, tf.LayersModel>): { key: string; weight: tf.LayerVariable }[] {
  return Object.entries(models).flatMap(([m, model]) => model.weights.map((weight, i) => ({ key: `${m}/${i}`, weight })));
}

/** Splits an optimizer slot key `<slot>/<variable name>` at the first slash. */
function splitSlot(k: string): [string, string] {
  const i = k.indexOf('/');
  return [k.slice(0, i), k.slice(i + 1)];
}

/**
 * A `MethodState` of named models (all their weights, trainable or not: BatchNorm statistics
 * too), an optimizer and extra tensors. Used by methods to implement `getState`.
 */
export function collectState(
  models: Record<string, tf.LayersModel>,
  optimizer: Optimizer,
  extra: Record<string, tf.Tensor> = {},
): MethodState {
  const tensors: Record<string, tf.Tensor> = {};
  const names = stableNames(models);
  const byVar = new Map<string, string>();
  for (const { key, weight } of names) {
    tensors[`model/${key}`] = tf.clone(weight.read());
    byVar.set(weight.name, key);
  }
  const opt = optimizer.getState();
  for (const [k, t] of Object.entries(opt.slots)) {
    const [slot, varName] = splitSlot(k);
    const key = byVar.get(varName);
    if (key === undefined) {
      t.dispose();
      continue; // a slot of a variable that is no longer part of the models
    }
    tensors[`${OPT}${slot}/${key}`] = t;
  }
  for (const [k, t] of Object.entries(extra)) tensors[`extra/${k}`] = tf.clone(t);
  const weightNames = names.map(({ key, weight }) => `${key}:${weight.originalName}`);
  return { tensors, meta: { optimizer: { name: opt.name, step: opt.step }, weights: weightNames } };
}

/** Restores what `collectState` saved; returns the extra tensors (not copied: still owned by `state`). */
export function restoreState(state: MethodState, models: Record<string, tf.LayersModel>, optimizer: Optimizer): Record<string, tf.Tensor> {
  const byKey = new Map<string, string>();
  for (const { key, weight } of stableNames(models)) {
    const t = state.tensors[`model/${key}`];
    if (t === undefined) throw new ConfigError('Method.setState', 'state', `has no tensor for model/${key} (${weight.originalName})`);
    if (t.shape.join(',') !== weight.shape.join(',')) {
      throw new ConfigError(
        'Method.setState',
        'state',
        `tensor model/${key} (${weight.originalName}) has shape [${t.shape}], the model wants [${weight.shape}]`,
      );
    }
    weight.write(t);
    byKey.set(key, weight.name);
  }
  const meta = state.meta.optimizer as { name: OptimizerState['name']; step: number } | undefined;
  if (meta === undefined) throw new ConfigError('Method.setState', 'state', 'has no optimizer metadata');
  const slots: Record<string, tf.Tensor> = {};
  const extra: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(state.tensors)) {
    if (k.startsWith(OPT)) {
      const [slot, key] = splitSlot(k.slice(OPT.length));
      const varName = byKey.get(key);
      if (varName === undefined) throw new ConfigError('Method.setState', 'state', `has optimizer slot ${k} for no weight of the models`);
      slots[`${slot}/${varName}`] = t;
    } else if (k.startsWith('extra/')) extra[k.slice('extra/'.length)] = t;
  }
  optimizer.setState({ name: meta.name, step: meta.step, slots });
  return extra;
}

/** The trainable variables of several models, each once. */
export function trainableVariables(...models: tf.LayersModel[]): tf.Variable[] {
  const seen = new Set<string>();
  const out: tf.Variable[] = [];
  for (const m of models) {
    for (const w of m.trainableWeights) {
      const v = w.read() as tf.Variable;
      if (!seen.has(v.name)) {
        seen.add(v.name);
        out.push(v);
      }
    }
  }
  return out;
}

/** What `minimize` queued: tensors the caller owns (dispose them, or hand them to `readScalars`). */
export interface MinimizeResult {
  /** The loss. */
  loss: tf.Scalar;
  /** Global gradient norm before clipping. */
  gradNorm: tf.Scalar;
  /** True where the loss is finite, i.e. the update was applied. */
  applied: tf.Scalar;
}

/**
 * One optimisation step shared by every method: gradients of `lossFn` w.r.t. `vars`, then the
 * optimizer's update, applied only where the loss is finite (a diverged step changes nothing).
 * The condition is evaluated on the device: nothing is read back. Leaves no tensor behind but the
 * result's; what `lossFn` keeps with `tf.keep` stays the caller's.
 */
export function minimize(optimizer: Optimizer, vars: tf.Variable[], lossFn: () => tf.Scalar): MinimizeResult {
  const { value, grads } = tf.variableGrads(lossFn, vars);
  const applied = tf.tidy(() => tf.logicalNot(tf.logicalOr(tf.isNaN(value), tf.isInf(value)))) as tf.Scalar;
  const { gradNorm } = optimizer.apply(vars, grads, { when: applied });
  tf.dispose(grads);
  return { loss: value, gradNorm, applied };
}

/** The numbers a `minimize` result holds, read asynchronously (`await data()`); disposes its tensors. */
export async function readMinimize(
  result: MinimizeResult,
  optimizer: Optimizer,
): Promise<{ loss: number; gradNorm: number; applied: boolean }> {
  result.applied.dispose();
  const [loss, gradNorm] = await readScalars([result.loss, result.gradNorm]);
  const applied = Number.isFinite(loss!);
  if (!applied) optimizer.step -= 1; // the masked update did not count
  return { loss: loss!, gradNorm: applied ? gradNorm! : NaN, applied };
}

/** The values of scalar tensors, read together asynchronously; disposes them. */
export async function readScalars(scalars: tf.Tensor[]): Promise<number[]> {
  try {
    const values = await Promise.all(scalars.map((t) => t.data()));
    return values.map((v) => v[0]!);
  } finally {
    tf.dispose(scalars);
  }
}
