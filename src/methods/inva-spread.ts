/**
 * Invariant and Spreading Instance Feature, InvaSpread (Ye et al. 2019, https://arxiv.org/abs/1904.03436):
 * instance discrimination without a memory bank, one encoder trained end to end. A batch of N
 * instances and one augmented view of each -> encoder f -> head g -> `invaSpreadLoss`: each
 * instance's other view is its positive; every other instance and view in the batch is a negative.
 * A preset of `contrastive` (instance views, batch negatives, the `invaspread` target).
 *
 * Views: the reference code's data loader passes both images of a pair through the same random
 * training transform; `augmentBoth: false` keeps the instance itself as f (the paper's wording).
 * The representation used downstream is the encoder output h = f(x).
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import type { Augmentation } from '../augment/augmentation.js';
import { views } from '../augment/views.js';
import { makeTarget, LOSS_SPECS } from '../losses/targets.js';
import type { Optimizer } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { assertPositive, describe } from '../validate.js';
import { contrastive } from './contrastive.js';
import type { Method } from './method.js';

export interface InvaSpreadMethodOptions {
  /** The encoder f: samples -> representation h `[N, H]`. Owned by the method from now on. */
  encoder: tf.LayersModel;
  /** The head g: h -> feature `[N, 128]` (the reference's last fc layer). Owned. */
  head: tf.LayersModel;
  /** Makes one random view of a batch. */
  augmentation: Augmentation;
  /** τ of `invaSpreadLoss`. @default 0.1 (Ye et al. 2019, arXiv:1904.03436, Section 4.1; `LOSS_SPECS.invaspread`) */
  temperature?: number;
  /** Augment the instance too (both members of a pair are random views). @default true (reference code, demo_seen.py data loader) */
  augmentBoth?: boolean;
  /** The optimizer. Owned by the method. @default Adam, lr 1e-3 (`new Optimizer()`) */
  optimizer?: Optimizer;
}

/** InvaSpread from an encoder, a head and an augmentation. */
export function invaSpread(options: InvaSpreadMethodOptions): Method {
  const fn = 'invaSpread';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const { encoder, head, augmentation, temperature = LOSS_SPECS.invaspread.temperature!, augmentBoth = true, optimizer } = options;
  if (!(encoder instanceof tf.LayersModel)) throw new ConfigError(fn, 'encoder', `must be a tf.LayersModel, got ${describe(encoder)}`);
  if (!(head instanceof tf.LayersModel)) throw new ConfigError(fn, 'head', `must be a tf.LayersModel, got ${describe(head)}`);
  if (typeof augmentation !== 'function')
    throw new ConfigError(fn, 'augmentation', `must be a function (x, rng) => tensor, got ${describe(augmentation)}`);
  assertPositive(temperature, fn, 'temperature');
  if (typeof augmentBoth !== 'boolean') throw new ConfigError(fn, 'augmentBoth', `must be a boolean, got ${describe(augmentBoth)}`);
  const pair = augmentBoth ? views(augmentation, 2) : (x: tf.Tensor, rng: Rng): tf.Tensor[] => [tf.clone(x), augmentation(x, rng)];
  return contrastive({
    name: 'invaspread',
    config: { temperature, augmentBoth },
    encoder,
    head,
    views: pair,
    target: makeTarget('invaspread', 'batch', { temperature }),
    ...(optimizer !== undefined ? { optimizer } : {}),
  });
}
