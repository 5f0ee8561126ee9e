/**
 * Invariant and Spreading Instance Feature, InvaSpread (Ye et al. 2019, https://arxiv.org/abs/1904.03436):
 * instance discrimination without a memory bank, one encoder trained end to end. A batch of N
 * instances and one augmented view of each -> encoder f -> head g -> `invaSpreadLoss`: each
 * instance's other view is its positive; every other instance and view in the batch is a negative.
 *
 * Views: the reference code's data loader passes both images of a pair through the same random
 * training transform; `augmentBoth: false` keeps the instance itself as f (the paper's wording).
 * The representation used downstream is the encoder output h = f(x).
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import type { Augmentation } from '../augment/augmentation.js';
import { invaSpreadLoss } from '../losses/inva-spread.js';
import { Optimizer } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { assertPositive, describe } from '../validate.js';
import { collectState, minimize, restoreState, trainableVariables, type Method, type MethodState, type StepMetrics, type TrainBatch } from './method.js';

export interface InvaSpreadMethodOptions {
  /** The encoder f: samples -> representation h `[N, H]`. Owned by the method from now on. */
  encoder: tf.LayersModel;
  /** The head g: h -> feature `[N, 128]` (the reference's last fc layer). Owned. */
  head: tf.LayersModel;
  /** Makes one random view of a batch. */
  augmentation: Augmentation;
  /** τ of `invaSpreadLoss`. @default 0.1 (Ye et al. 2019, arXiv:1904.03436, Section 4.1) */
  temperature?: number;
  /** Augment the instance too (both members of a pair are random views). @default true (reference code, demo_seen.py data loader) */
  augmentBoth?: boolean;
  /** The optimizer. Owned by the method. @default Adam, lr 1e-3 (`new Optimizer()`) */
  optimizer?: Optimizer;
}

class InvaSpread implements Method {
  readonly name = 'invaspread';
  readonly config: Readonly<Record<string, unknown>>;
  readonly encoder: tf.LayersModel;
  readonly head: tf.LayersModel;
  readonly optimizer: Optimizer;
  private readonly augmentation: Augmentation;
  private readonly temperature: number;
  private readonly augmentBoth: boolean;

  constructor(o: InvaSpreadMethodOptions) {
    this.encoder = o.encoder;
    this.head = o.head;
    this.augmentation = o.augmentation;
    this.temperature = o.temperature ?? 0.1;
    this.augmentBoth = o.augmentBoth ?? true;
    this.optimizer = o.optimizer ?? new Optimizer();
    this.config = { method: 'invaspread', temperature: this.temperature, augmentBoth: this.augmentBoth };
  }

  trainStep(batch: TrainBatch, rng: Rng): StepMetrics {
    const { x } = batch;
    if (!(x instanceof tf.Tensor) || x.rank < 2 || x.shape[0]! < 2) {
      throw new ConfigError('invaSpread.trainStep', 'batch.x', `must be a tensor with at least 2 samples, got ${describe(x)}`);
    }
    const n = x.shape[0]!;
    const vars = trainableVariables(this.encoder, this.head);
    const pairs = tf.tidy(() => {
      const instance = this.augmentBoth ? this.augmentation(x, rng) : tf.clone(x);
      const view = this.augmentation(x, rng);
      return tf.concat([instance, view], 0); // [2N, ...]: one encoder pass
    });
    const { loss, gradNorm } = minimize(this.optimizer, vars, () => {
      const h = this.encoder.apply(pairs, { training: true }) as tf.Tensor2D; // [2N, H]
      const z = this.head.apply(h, { training: true }) as tf.Tensor2D; // [2N, P]
      const [f, fHat] = tf.split(z, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D]; // [N, P] each
      return invaSpreadLoss(f, fHat, { temperature: this.temperature });
    });
    pairs.dispose();
    return { loss, gradNorm };
  }

  embed(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.encoder.apply(x, { training: false }) as tf.Tensor2D);
  }

  getState(): MethodState {
    return collectState({ encoder: this.encoder, head: this.head }, this.optimizer);
  }

  setState(state: MethodState): void {
    restoreState(state, { encoder: this.encoder, head: this.head }, this.optimizer);
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
    this.optimizer.dispose();
  }
}

/** InvaSpread from an encoder, a head and an augmentation. */
export function invaSpread(options: InvaSpreadMethodOptions): Method {
  const fn = 'invaSpread';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const { encoder, head, augmentation, temperature = 0.1, augmentBoth = true } = options;
  if (!(encoder instanceof tf.LayersModel)) throw new ConfigError(fn, 'encoder', `must be a tf.LayersModel, got ${describe(encoder)}`);
  if (!(head instanceof tf.LayersModel)) throw new ConfigError(fn, 'head', `must be a tf.LayersModel, got ${describe(head)}`);
  if (typeof augmentation !== 'function') throw new ConfigError(fn, 'augmentation', `must be a function (x, rng) => tensor, got ${describe(augmentation)}`);
  assertPositive(temperature, fn, 'temperature');
  if (typeof augmentBoth !== 'boolean') throw new ConfigError(fn, 'augmentBoth', `must be a boolean, got ${describe(augmentBoth)}`);
  return new InvaSpread(options);
}
