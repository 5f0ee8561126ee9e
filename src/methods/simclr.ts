/**
 * SimCLR (Chen et al. 2020, https://arxiv.org/abs/2002.05709): two augmented views of each
 * sample -> encoder f -> projection head g -> NT-Xent between the two views' projections.
 * The representation used downstream is the encoder output h = f(x), not z = g(h).
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import type { Augmentation } from '../augment/augmentation.js';
import { ntXentLoss } from '../losses/nt-xent.js';
import { Optimizer } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { assertPositive, describe } from '../validate.js';
import { collectState, minimize, restoreState, trainableVariables, type Method, type MethodState, type StepMetrics, type TrainBatch } from './method.js';

/** A random augmentation of a batch (`src/augment/`): randomness from `rng` only. */
export type BatchAugmentation = Augmentation;

export interface SimclrOptions {
  /** The encoder f: samples -> representation h `[N, D]`. The method owns it from now on (disposes it). */
  encoder: tf.LayersModel;
  /** The projection head g: h -> z `[N, P]`. Owned by the method. */
  head: tf.LayersModel;
  /** Makes one random view of a batch; called twice per step. */
  augmentation: BatchAugmentation;
  /** NT-Xent temperature τ. @default 0.5 (SimCLR, arXiv:2002.05709, CIFAR-10 setting, Appendix B.9) */
  temperature?: number;
  /** The optimizer. Owned by the method. @default Adam, lr 1e-3 (`new Optimizer()`) */
  optimizer?: Optimizer;
}

class Simclr implements Method {
  readonly name = 'simclr';
  readonly config: Readonly<Record<string, unknown>>;
  readonly encoder: tf.LayersModel;
  readonly head: tf.LayersModel;
  readonly optimizer: Optimizer;
  private readonly augmentation: BatchAugmentation;
  private readonly temperature: number;

  constructor(o: SimclrOptions) {
    this.encoder = o.encoder;
    this.head = o.head;
    this.augmentation = o.augmentation;
    this.temperature = o.temperature ?? 0.5;
    this.optimizer = o.optimizer ?? new Optimizer();
    this.config = { method: 'simclr', temperature: this.temperature };
  }

  trainStep(batch: TrainBatch, rng: Rng): StepMetrics {
    const { x } = batch;
    if (!(x instanceof tf.Tensor) || x.shape[0]! < 2) {
      throw new ConfigError('simclr.trainStep', 'batch.x', `must be a tensor with at least 2 samples, got ${describe(x)}`);
    }
    const n = x.shape[0]!;
    const vars = trainableVariables(this.encoder, this.head);
    const views = tf.tidy(() => {
      const v1 = this.augmentation(x, rng);
      const v2 = this.augmentation(x, rng);
      return tf.concat([v1, v2], 0); // [2N, ...]: one encoder pass, BatchNorm statistics over both views
    });
    const { loss, gradNorm } = minimize(this.optimizer, vars, () => {
      const h = this.encoder.apply(views, { training: true }) as tf.Tensor2D; // [2N, D]
      const z = this.head.apply(h, { training: true }) as tf.Tensor2D; // [2N, P]
      const [z1, z2] = tf.split(z, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D]; // [N, P] each
      return ntXentLoss(z1, z2, { temperature: this.temperature });
    });
    views.dispose();
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

/** SimCLR from an encoder, a projection head and an augmentation. */
export function simclr(options: SimclrOptions): Method {
  if (options === null || typeof options !== 'object') throw new ConfigError('simclr', 'options', `must be an object, got ${describe(options)}`);
  const { encoder, head, augmentation, temperature = 0.5 } = options;
  if (!(encoder instanceof tf.LayersModel)) throw new ConfigError('simclr', 'encoder', `must be a tf.LayersModel, got ${describe(encoder)}`);
  if (!(head instanceof tf.LayersModel)) throw new ConfigError('simclr', 'head', `must be a tf.LayersModel, got ${describe(head)}`);
  if (typeof augmentation !== 'function') throw new ConfigError('simclr', 'augmentation', `must be a function (x, rng) => tensor, got ${describe(augmentation)}`);
  assertPositive(temperature, 'simclr', 'temperature');
  return new Simclr(options);
}
