/**
 * MLP encoder for vector data (`[N, D]` samples): Dense -> (BatchNorm) -> ReLU, repeated, the last
 * hidden layer's activations are the representation h. A plain tfjs-layers model, so it saves and
 * loads with `tf.loadLayersModel`.
 */
import * as tf from '../tf.js';
import { batchNormalization } from './batch-norm.js';
import { assertInteger } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface MlpOptions {
  /** Length D of one input vector. */
  inputDim: number;
  /** Widths of the hidden layers; the last one is the representation size. @default [256, 128] */
  hiddenUnits?: number[];
  /** BatchNorm after every Dense (before ReLU), as in SimCLR's encoders. @default true */
  batchNorm?: boolean;
  /** Seed of the Glorot-uniform kernel initialiser (same seed, same weights). @default 0 */
  seed?: number;
  /** Model name (prefix of its variables). @default 'mlp' */
  name?: string;
}

/** An MLP encoder: `[N, inputDim]` -> `[N, hiddenUnits.at(-1)]`. */
export function mlp({ inputDim, hiddenUnits = [256, 128], batchNorm = true, seed = 0, name = 'mlp' }: MlpOptions): tf.LayersModel {
  assertInteger(inputDim, 'mlp', 'inputDim');
  if (!Array.isArray(hiddenUnits) || hiddenUnits.length === 0) {
    throw new ConfigError('mlp', 'hiddenUnits', `must be a non-empty array of positive integers, got ${JSON.stringify(hiddenUnits)}`);
  }
  hiddenUnits.forEach((u, i) => assertInteger(u, 'mlp', `hiddenUnits[${i}]`));
  const input = tf.input({ shape: [inputDim], name: `${name}_input` });
  let h: tf.SymbolicTensor = input;
  hiddenUnits.forEach((units, i) => {
    h = tf.layers
      .dense({
        units,
        useBias: !batchNorm,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
        name: `${name}_dense${i + 1}`,
      })
      .apply(h) as tf.SymbolicTensor;
    if (batchNorm) h = batchNormalization({ name: `${name}_bn${i + 1}` }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU({ name: `${name}_relu${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: input, outputs: h, name });
}
