/**
 * MoCo v2 (He et al. 2020, https://arxiv.org/abs/1911.05722; Chen et al. 2020,
 * https://arxiv.org/abs/2003.04297): two augmented views; queries from f, g; keys from momentum
 * copies of f, g; InfoNCE of each query against its key and a FIFO queue of past keys. A preset of
 * `contrastive` (instance views, queue negatives, the `infonce` target).
 */
import * as tf from '../tf.js';
import type { Augmentation } from '../augment/augmentation.js';
import { views } from '../augment/views.js';
import { makeTarget, LOSS_SPECS } from '../losses/targets.js';
import { KeyQueue } from '../memory/key-queue.js';
import type { Optimizer } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { assertInRange, assertInteger, assertOneOf, assertPositive, describe } from '../validate.js';
import { contrastive, KEY_BATCH_NORMS, type Contrastive, type KeyBatchNorm } from './contrastive.js';

/** MoCo's queue size and momentum for small data (MoCo's own are 65536 and 0.999 on ImageNet). */
export const MOCO_DEFAULTS = {
  /** @default 4096 (MoCo's CIFAR-style setting: a queue of ~7% of a 60k-image training set) */
  queueSize: 4096,
  /** @default 0.99 (MoCo's CIFAR-10 demo notebook; 0.999 is for ImageNet's 5k steps per epoch) */
  momentum: 0.99,
} as const;

export interface MocoOptions {
  /** The encoder f. Owned. */
  encoder: tf.LayersModel;
  /** The head g (MoCo v2's MLP head). Owned. */
  head: tf.LayersModel;
  /** A second encoder of the same architecture: the momentum key encoder (its weights are replaced by f's). Owned. */
  keyEncoder: tf.LayersModel;
  /** A second head of the same architecture. Owned. */
  keyHead: tf.LayersModel;
  /** Makes one random view of a batch; called twice per step. */
  augmentation: Augmentation;
  /** InfoNCE τ. @default 0.2 (MoCo v2, arXiv:2003.04297; `LOSS_SPECS.infonce`) */
  temperature?: number;
  /** K, keys in the queue. @default 4096 ({@link MOCO_DEFAULTS}) */
  queueSize?: number;
  /** m of the key encoders' EMA. @default 0.99 ({@link MOCO_DEFAULTS}) */
  momentum?: number;
  /** The key models' BatchNorm: training mode over shuffled groups (MoCo's shuffling BN) or the moving statistics. @default 'shuffle' */
  keyBatchNorm?: KeyBatchNorm;
  /** Seed of the queue's initial random keys. @default 0 */
  seed?: number;
  /** The optimizer. Owned. @default Adam, lr 1e-3 */
  optimizer?: Optimizer;
}

/** MoCo v2 from an encoder, a head, their key copies and an augmentation. */
export function moco(options: MocoOptions): Contrastive {
  const fn = 'moco';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const {
    encoder,
    head,
    keyEncoder,
    keyHead,
    augmentation,
    temperature = LOSS_SPECS.infonce.temperature!,
    queueSize = MOCO_DEFAULTS.queueSize,
    momentum = MOCO_DEFAULTS.momentum,
    keyBatchNorm = 'shuffle',
    seed = 0,
    optimizer,
  } = options;
  for (const [arg, m] of [
    ['encoder', encoder],
    ['head', head],
    ['keyEncoder', keyEncoder],
    ['keyHead', keyHead],
  ] as const) {
    if (!(m instanceof tf.LayersModel)) throw new ConfigError(fn, arg, `must be a tf.LayersModel, got ${describe(m)}`);
  }
  if (typeof augmentation !== 'function')
    throw new ConfigError(fn, 'augmentation', `must be a function (x, rng) => tensor, got ${describe(augmentation)}`);
  assertPositive(temperature, fn, 'temperature');
  assertInteger(queueSize, fn, 'queueSize');
  assertInRange(momentum, 0, 1, fn, 'momentum');
  assertOneOf(keyBatchNorm, KEY_BATCH_NORMS, fn, 'keyBatchNorm');
  const dim = head.outputs[0]!.shape[1] as number;
  return contrastive({
    name: 'moco',
    config: { temperature, queueSize, momentum, keyBatchNorm },
    encoder,
    head,
    views: views(augmentation, 2),
    target: makeTarget('infonce', 'queue', { temperature }),
    keys: { keyEncoder, keyHead, queue: new KeyQueue({ size: queueSize, dim, seed }), momentum, keyBatchNorm },
    ...(optimizer !== undefined ? { optimizer } : {}),
  });
}
