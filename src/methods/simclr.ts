/**
 * SimCLR (Chen et al. 2020, https://arxiv.org/abs/2002.05709): two augmented views of each
 * sample -> encoder f -> projection head g -> NT-Xent between the two views' projections, the
 * other samples' views as negatives. A preset of `contrastive` (the instance-views proxy task,
 * batch negatives, the `ntxent` target). The representation used downstream is h = f(x).
 */
import * as tf from '../tf.js';
import type { Augmentation } from '../augment/augmentation.js';
import { views } from '../augment/views.js';
import { multiCrop } from '../augment/multi-crop.js';
import { makeTarget, LOSS_SPECS } from '../losses/targets.js';
import type { Optimizer } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { assertInteger, assertPositive, describe } from '../validate.js';
import { contrastive } from './contrastive.js';
import type { Method } from './method.js';

/** A random augmentation of a batch (`src/augment/`): randomness from `rng` only. */
export type BatchAugmentation = Augmentation;

export interface SimclrOptions {
  /** The encoder f: samples -> representation h `[N, D]`. The method owns it from now on (disposes it). */
  encoder: tf.LayersModel;
  /** The projection head g: h -> z `[N, P]`. Owned by the method. */
  head: tf.LayersModel;
  /** Makes one random view of a batch; called twice per step (more with `localCrops`). */
  augmentation: BatchAugmentation;
  /** NT-Xent temperature τ. @default 0.5 (SimCLR, arXiv:2002.05709, CIFAR-10 setting, Appendix B.9; `LOSS_SPECS.ntxent`) */
  temperature?: number;
  /** Small crops added to the two global views (multi-crop, images only; multi-positive NT-Xent). @default 0 */
  localCrops?: number;
  /** The optimizer. Owned by the method. @default Adam, lr 1e-3 (`new Optimizer()`) */
  optimizer?: Optimizer;
}

/** SimCLR from an encoder, a projection head and an augmentation. */
export function simclr(options: SimclrOptions): Method {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('simclr', 'options', `must be an object, got ${describe(options)}`);
  const { encoder, head, augmentation, temperature = LOSS_SPECS.ntxent.temperature!, localCrops = 0, optimizer } = options;
  if (!(encoder instanceof tf.LayersModel))
    throw new ConfigError('simclr', 'encoder', `must be a tf.LayersModel, got ${describe(encoder)}`);
  if (!(head instanceof tf.LayersModel)) throw new ConfigError('simclr', 'head', `must be a tf.LayersModel, got ${describe(head)}`);
  if (typeof augmentation !== 'function')
    throw new ConfigError('simclr', 'augmentation', `must be a function (x, rng) => tensor, got ${describe(augmentation)}`);
  assertPositive(temperature, 'simclr', 'temperature');
  assertInteger(localCrops, 'simclr', 'localCrops', 0);
  return contrastive({
    name: 'simclr',
    config: { temperature, ...(localCrops > 0 ? { localCrops } : {}) },
    encoder,
    head,
    views: localCrops > 0 ? multiCrop(augmentation, { global: 2, local: localCrops }) : views(augmentation, 2),
    target: makeTarget('ntxent', 'batch', { temperature }),
    ...(optimizer !== undefined ? { optimizer } : {}),
  });
}
