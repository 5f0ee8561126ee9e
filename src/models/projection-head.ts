/**
 * SimCLR's projection head g(h) (Chen et al. 2020, https://arxiv.org/abs/2002.05709, Sec. 2.1):
 * a 2-layer MLP, Dense(hidden) -> (BatchNorm) -> ReLU -> Dense(output), mapping the
 * representation h [N, inputDim] to the embedding z [N, outputDim] the contrastive loss sees.
 * With `layers: 1` it is one Dense(output): the "fc to 128-d" of NPID (Wu et al. 2018) and
 * InvaSpread (Ye et al. 2019).
 */
import * as tf from '../tf.js';
import { batchNormalization } from './batch-norm.js';
import { assertInteger, describe } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface ProjectionHeadOptions {
  /** Size of the representation h it reads. */
  inputDim: number;
  /** Width of the hidden layer. @default inputDim (SimCLR: hidden = representation size) */
  hiddenDim?: number;
  /** Size of the embedding z. @default 128 (SimCLR, Sec. 2.1) */
  outputDim?: number;
  /** BatchNorm after the hidden Dense (which then has no bias), as in SimCLR v2's heads. @default false (SimCLR v1 paper, and the step benchmark's peer) */
  batchNorm?: boolean;
  /** 2: the MLP above; 1: a single Dense(output) (no hidden layer, no BatchNorm). @default 2 */
  layers?: 1 | 2;
  /** Seed of the Glorot-uniform kernel initialiser. @default 0 */
  seed?: number;
  /** Model name (prefix of its layers). @default 'projection_head' */
  name?: string;
}

/** The projection head: `[N, inputDim]` -> `[N, outputDim]`. */
export function projectionHead(options: ProjectionHeadOptions): tf.LayersModel {
  const { inputDim, hiddenDim = inputDim, outputDim = 128, batchNorm = false, layers = 2, seed = 0, name = 'projection_head' } = options;
  assertInteger(inputDim, 'projectionHead', 'inputDim');
  assertInteger(hiddenDim, 'projectionHead', 'hiddenDim');
  assertInteger(outputDim, 'projectionHead', 'outputDim');
  if (layers !== 1 && layers !== 2) throw new ConfigError('projectionHead', 'layers', `must be 1 or 2, got ${describe(layers)}`);
  const input = tf.input({ shape: [inputDim], name: `${name}_input` });
  if (layers === 1) {
    const out = tf.layers
      .dense({ units: outputDim, kernelInitializer: tf.initializers.glorotUniform({ seed }), name: `${name}_out` })
      .apply(input) as tf.SymbolicTensor; // [N, outputDim]
    return tf.model({ inputs: input, outputs: out, name });
  }
  let z = tf.layers
    .dense({ units: hiddenDim, useBias: !batchNorm, kernelInitializer: tf.initializers.glorotUniform({ seed }), name: `${name}_hidden` })
    .apply(input) as tf.SymbolicTensor; // [N, hiddenDim]
  if (batchNorm) z = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.reLU({ name: `${name}_relu` }).apply(z) as tf.SymbolicTensor;
  z = tf.layers
    .dense({ units: outputDim, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: `${name}_out` })
    .apply(z) as tf.SymbolicTensor; // [N, outputDim]
  return tf.model({ inputs: input, outputs: z, name });
}
