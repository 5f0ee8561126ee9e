/**
 * The instance-discrimination proxy task with any target function: V views of each sample
 * (two augmented views, or multi-crop) -> encoder f -> head g -> embeddings; the views of one
 * sample are positives. Negatives come from the batch (the target function uses the other
 * samples' views) or from a FIFO queue of keys made by a momentum (EMA) copy of f and g (MoCo).
 * SimCLR, InvaSpread and MoCo are presets of it (`simclr.ts`, `inva-spread.ts`, `moco.ts`).
 *
 * Negatives `'queue'` (MoCo v2, He et al. 2020, arXiv:1911.05722; Chen et al. 2020, arXiv:2003.04297):
 * view 0 -> f, g -> the queries; view 1 -> the key models f_k, g_k (inference mode, no gradient)
 * -> the keys; target(views [q, k], negatives: the queue); after the update, f_k, g_k <- EMA of
 * f, g and the keys are enqueued. The key models' BatchNorm runs in training mode over shuffled
 * groups of the key batch (MoCo's shuffling BN in one process, `shuffled-key-groups.ts`), or in
 * inference mode with the moving statistics (`keyBatchNorm: 'moving'`).
 *
 * State names: the models are `encoder`, `head` (and `keyEncoder`, `keyHead` with a queue); the
 * queue is `extra/queue` with its pointer in `meta.queue`.
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import type { ViewMaker } from '../augment/views.js';
import type { TargetFunction } from '../losses/target.js';
import { KeyQueue } from '../memory/key-queue.js';
import { Optimizer } from '../optim/optimizers.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertInRange, assertOneOf, describe } from '../validate.js';
import { momentumUpdate } from './momentum-update.js';
import { shuffledKeyGroups } from './shuffled-key-groups.js';
import {
  collectState,
  minimize,
  readMinimize,
  restoreState,
  trainableVariables,
  type Method,
  type MethodState,
  type MinimizeResult,
  type StepMetrics,
  type TrainBatch,
} from './method.js';

/** MoCo's key side: momentum copies of the encoder and head, and the queue. */
export interface KeyQueueSetup {
  /** Same architecture as `encoder`; its weights are overwritten with the encoder's at construction. Owned. */
  keyEncoder: tf.LayersModel;
  /** Same architecture as `head`. Owned. */
  keyHead: tf.LayersModel;
  /** The queue (its `dim` = the head's output width). Owned. */
  queue: KeyQueue;
  /** m of the EMA update. */
  momentum: number;
  /**
   * How the key models' BatchNorm normalises: `'shuffle'`, training mode over shuffled groups of
   * 32 keys (MoCo's shuffling BN, `shuffled-key-groups.ts`); `'moving'`, inference mode with the
   * moving statistics. @default 'shuffle'
   */
  keyBatchNorm?: KeyBatchNorm;
}

export type KeyBatchNorm = 'shuffle' | 'moving';
export const KEY_BATCH_NORMS: readonly KeyBatchNorm[] = ['shuffle', 'moving'];

export interface ContrastiveOptions {
  /** The method's name (`simclr`, `moco`, ...), also `config.method`. */
  name: string;
  /** More `config` entries (the preset's hyper-parameters). */
  config: Record<string, unknown>;
  /** The encoder f: samples -> h `[N, D]`. Owned. */
  encoder: tf.LayersModel;
  /** The head g: h -> z `[N, P]`. Owned. */
  head: tf.LayersModel;
  /** Makes the V views of a batch (`views(augmentation, 2)`, `multiCrop(...)`). */
  views: ViewMaker;
  /** Scores the views' embeddings. */
  target: TargetFunction;
  /** The key models and queue: negatives from the queue instead of the batch. @default none (batch negatives) */
  keys?: KeyQueueSetup;
  /** The optimizer. Owned. @default Adam, lr 1e-3 (`new Optimizer()`) */
  optimizer?: Optimizer;
}

export class Contrastive implements Method {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly encoder: tf.LayersModel;
  readonly head: tf.LayersModel;
  readonly optimizer: Optimizer;
  readonly keys: KeyQueueSetup | undefined;
  private readonly makeViews: ViewMaker;
  private readonly target: TargetFunction;

  constructor(o: ContrastiveOptions) {
    const fn = 'contrastive';
    if (!(o.encoder instanceof tf.LayersModel))
      throw new ConfigError(fn, 'encoder', `must be a tf.LayersModel, got ${describe(o.encoder)}`);
    if (!(o.head instanceof tf.LayersModel)) throw new ConfigError(fn, 'head', `must be a tf.LayersModel, got ${describe(o.head)}`);
    if (typeof o.views !== 'function')
      throw new ConfigError(fn, 'views', `must be a view maker (x, rng) => tensors, got ${describe(o.views)}`);
    if (typeof o.target !== 'function') throw new ConfigError(fn, 'target', `must be a target function, got ${describe(o.target)}`);
    if (o.keys !== undefined) {
      const k = o.keys;
      if (!(k.keyEncoder instanceof tf.LayersModel) || !(k.keyHead instanceof tf.LayersModel))
        throw new ConfigError(fn, 'keys', 'must hold keyEncoder and keyHead models');
      if (!(k.queue instanceof KeyQueue)) throw new ConfigError(fn, 'keys.queue', `must be a KeyQueue, got ${describe(k.queue)}`);
      assertInRange(k.momentum, 0, 1, fn, 'keys.momentum');
      if (k.keyBatchNorm !== undefined) assertOneOf(k.keyBatchNorm, KEY_BATCH_NORMS, fn, 'keys.keyBatchNorm');
      const width = o.head.outputs[0]!.shape[1];
      if (width !== k.queue.dim)
        throw new ShapeError(fn, 'keys.queue', `must hold keys of the head's width ${width}, got dim ${k.queue.dim}`);
      momentumUpdate(k.keyEncoder, o.encoder, 0); // MoCo: the key encoder starts as a copy
      momentumUpdate(k.keyHead, o.head, 0);
    }
    this.name = o.name;
    this.config = { method: o.name, ...o.config };
    this.encoder = o.encoder;
    this.head = o.head;
    this.makeViews = o.views;
    this.target = o.target;
    this.keys = o.keys;
    this.optimizer = o.optimizer ?? new Optimizer();
  }

  trainStep(batch: TrainBatch, rng: Rng): Promise<StepMetrics> {
    const { x } = batch;
    if (!(x instanceof tf.Tensor) || x.rank < 2 || x.shape[0]! < 2) {
      throw new ConfigError(`${this.name}.trainStep`, 'batch.x', `must be a tensor with at least 2 samples, got ${describe(x)}`);
    }
    const n = x.shape[0]!;
    const made = this.makeViews(x, rng);
    const vars = trainableVariables(this.encoder, this.head);
    let result: MinimizeResult | undefined;
    let keys: tf.Tensor2D | undefined;
    let queue: tf.Tensor2D | undefined;
    try {
      if (this.keys === undefined) {
        const all = tf.concat(made, 0); // [VN, ...]: one encoder pass, BatchNorm statistics over every view
        try {
          result = minimize(this.optimizer, vars, () => {
            const z = this.head.apply(this.encoder.apply(all, { training: true }), { training: true }) as tf.Tensor2D; // [VN, P]
            const zs = tf.split(
              z,
              made.map(() => n),
              0,
            ) as tf.Tensor2D[]; // V x [N, P]
            return this.target({ views: zs, rng });
          });
        } finally {
          all.dispose();
        }
      } else {
        const k = this.keys;
        if (made.length !== 2)
          throw new ConfigError(
            `${this.name}.trainStep`,
            'views',
            `must make 2 views with queue negatives (query and key), got ${made.length}`,
          );
        // [N, P], no gradient (outside the tape)
        keys =
          (k.keyBatchNorm ?? 'shuffle') === 'shuffle'
            ? shuffledKeyGroups(
                (g) => k.keyHead.apply(k.keyEncoder.apply(g, { training: true }), { training: true }) as tf.Tensor2D,
                made[1]!,
                rng,
              )
            : tf.tidy(() => k.keyHead.apply(k.keyEncoder.apply(made[1]!, { training: false }), { training: false }) as tf.Tensor2D);
        queue = k.queue.rows(); // [K, P]
        result = minimize(this.optimizer, vars, () => {
          const q = this.head.apply(this.encoder.apply(made[0]!, { training: true }), { training: true }) as tf.Tensor2D; // [N, P]
          return this.target({ views: [q, keys!], negatives: queue!, rng });
        });
        // only where the step was applied (decided on the device); the queue after the read-back
        momentumUpdate(k.keyEncoder, this.encoder, k.momentum, result.applied);
        momentumUpdate(k.keyHead, this.head, k.momentum, result.applied);
      }
    } catch (err) {
      tf.dispose(keys ?? []);
      throw err;
    } finally {
      tf.dispose([...made, ...(queue ? [queue] : [])]);
    }
    return this.settle(result!, keys);
  }

  /** The step's numbers, read asynchronously; MoCo's keys enter the queue when the step was applied. */
  private async settle(result: MinimizeResult, keys: tf.Tensor2D | undefined): Promise<StepMetrics> {
    try {
      const { loss, gradNorm, applied } = await readMinimize(result, this.optimizer);
      if (applied && keys !== undefined) await this.keys!.queue.enqueueAsync(keys);
      return { loss, gradNorm };
    } finally {
      keys?.dispose();
    }
  }

  embed(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.encoder.apply(x, { training: false }) as tf.Tensor2D);
  }

  private models(): Record<string, tf.LayersModel> {
    const m: Record<string, tf.LayersModel> = { encoder: this.encoder, head: this.head };
    if (this.keys !== undefined) Object.assign(m, { keyEncoder: this.keys.keyEncoder, keyHead: this.keys.keyHead });
    return m;
  }

  getState(): MethodState {
    if (this.keys === undefined) return collectState(this.models(), this.optimizer);
    const q = this.keys.queue;
    const rows = q.rows();
    const state = collectState(this.models(), this.optimizer, { queue: rows });
    rows.dispose();
    state.meta.queue = { pointer: q.pointer };
    return state;
  }

  setState(state: MethodState): void {
    const extra = restoreState(state, this.models(), this.optimizer);
    if (this.keys === undefined) return;
    const q = this.keys.queue;
    const rows = extra.queue;
    const meta = state.meta.queue as { pointer?: unknown } | undefined;
    if (rows === undefined || rows.shape[0] !== q.size || rows.shape[1] !== q.dim) {
      throw new ConfigError(
        `${this.name}.setState`,
        'state',
        `must hold the queue as a [${q.size}, ${q.dim}] tensor extra/queue, got ${describe(rows)}`,
      );
    }
    if (typeof meta?.pointer !== 'number' || !Number.isInteger(meta.pointer) || meta.pointer < 0 || meta.pointer >= q.size) {
      throw new ConfigError(
        `${this.name}.setState`,
        'state',
        `must hold the queue pointer (an integer in [0, ${q.size})) in meta.queue, got ${describe(meta?.pointer)}`,
      );
    }
    q.data.set(rows.dataSync());
    q.pointer = meta.pointer;
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
    this.keys?.keyEncoder.dispose();
    this.keys?.keyHead.dispose();
    this.optimizer.dispose();
  }
}

/** The instance-discrimination proxy task with a target function (see the file's comment). */
export function contrastive(options: ContrastiveOptions): Contrastive {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('contrastive', 'options', `must be an object, got ${describe(options)}`);
  return new Contrastive(options);
}
