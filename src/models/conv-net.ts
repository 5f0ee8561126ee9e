/**
 * The small CNN of the step benchmark (`../shared/peers/simclr_step_torch.py`, "small"):
 * conv3x3(32)-ReLU-maxpool-conv3x3(64)-ReLU-maxpool-conv3x3(128)-ReLU-global-avg-pool.
 * NHWC (channels-last), 'same' padding, 2x2 max-pool after every convolution but the last.
 * With `batchNorm`, each convolution (then without bias) is followed by BatchNorm before its ReLU,
 * the conv-BN-ReLU unit of every encoder in the SimCLR paper (its ResNets). With `featureBatchNorm`,
 * the pooled representation passes through a BatchNorm without scale or shift (feature-batch-norm.ts).
 */
import * as tf from '../tf.js';
import { batchNormalization } from './batch-norm.js';
import { featureBatchNorm } from './feature-batch-norm.js';
import { assertInteger } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface ConvNetOptions {
  /** Input shape [height, width, channels]. @default [28, 28, 1] (Fashion-MNIST, the peer's "small" batch) */
  inputShape?: [number, number, number];
  /** Filters of each 3x3 convolution; the last is the representation size. @default [32, 64, 128] (the peer's CNN) */
  widths?: number[];
  /** Seed of the Glorot-uniform kernel initialiser. @default 0 */
  seed?: number;
  /** BatchNorm between each convolution and its ReLU. @default false (the step benchmark's peer has none) */
  batchNorm?: boolean;
  /** Centre and scale the pooled representation by its moving statistics (feature-batch-norm.ts). @default false */
  featureBatchNorm?: boolean;
  /** Model name (prefix of its layers). @default 'conv_net' */
  name?: string;
}

/** The small CNN encoder: `[N, H, W, C]` -> `[N, widths.at(-1)]`. */
export function convNet(options: ConvNetOptions = {}): tf.LayersModel {
  const {
    inputShape = [28, 28, 1],
    widths = [32, 64, 128],
    seed = 0,
    batchNorm = false,
    featureBatchNorm: neck = false,
    name = 'conv_net',
  } = options;
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new ConfigError('convNet', 'inputShape', `must be [height, width, channels], got ${JSON.stringify(inputShape)}`);
  }
  inputShape.forEach((d, i) => assertInteger(d, 'convNet', `inputShape[${i}]`));
  if (!Array.isArray(widths) || widths.length === 0) {
    throw new ConfigError('convNet', 'widths', `must be a non-empty array of positive integers, got ${JSON.stringify(widths)}`);
  }
  widths.forEach((w, i) => assertInteger(w, 'convNet', `widths[${i}]`));
  const pools = widths.length - 1;
  if (inputShape[0] >> pools < 1 || inputShape[1] >> pools < 1) {
    throw new ConfigError(
      'convNet',
      'inputShape',
      `must be at least ${2 ** pools}x${2 ** pools} for ${pools} max-pools, got ${JSON.stringify(inputShape)}`,
    );
  }
  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  let h: tf.SymbolicTensor = input; // [N, H, W, C]
  widths.forEach((filters, i) => {
    h = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: !batchNorm,
        activation: batchNorm ? 'linear' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
        name: `${name}_conv${i + 1}`,
      })
      .apply(h) as tf.SymbolicTensor;
    if (batchNorm) {
      h = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn${i + 1}` }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.reLU({ name: `${name}_relu${i + 1}` }).apply(h) as tf.SymbolicTensor;
    }
    if (i < pools) h = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `${name}_pool${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.globalAveragePooling2d({ name: `${name}_gap` }).apply(h) as tf.SymbolicTensor; // [N, widths.at(-1)]
  if (neck) h = featureBatchNorm({ name: `${name}_feature_bn` }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h, name });
}
