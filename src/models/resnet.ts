/**
 * CIFAR-style ResNet (He et al. 2016, https://arxiv.org/abs/1512.03385, Sec. 4.2; the CIFAR variant
 * used by SimCLR, arXiv:2002.05709 Appendix B.9): a 3x3 stem without max-pool, stages of basic
 * blocks (two 3x3 conv-BatchNorm, identity shortcut or 1x1 conv-BatchNorm when the shape changes),
 * global average pooling. NHWC. Defaults give ResNet-18; the step benchmark's peer uses
 * `{ stemWidth: 32, widths: [32, 64, 128], blocksPerStage: [1, 1, 1] }`.
 * Padding is TensorFlow's 'same': a stride-2 3x3 convolution pads bottom/right where PyTorch's
 * `padding=1` pads all sides; shapes and parameter counts are the same.
 */
import * as tf from '../tf.js';
import { batchNormalization } from './batch-norm.js';
import { featureBatchNorm } from './feature-batch-norm.js';
import { assertInteger } from '../validate.js';
import { ConfigError } from '../errors.js';

export interface ResNetOptions {
  /** Input shape [height, width, channels]. @default [32, 32, 3] (CIFAR-10) */
  inputShape?: [number, number, number];
  /** Filters of the 3x3 stem convolution. @default 64 (ResNet-18) */
  stemWidth?: number;
  /** Filters of each stage; stages after the first halve the resolution. @default [64, 128, 256, 512] (ResNet-18) */
  widths?: number[];
  /** Basic blocks in each stage (same length as `widths`). @default [2, 2, 2, 2] (ResNet-18) */
  blocksPerStage?: number[];
  /** BatchNorm momentum of the moving statistics (Keras convention: new = m*old + (1-m)*batch). @default 0.9 (PyTorch's 0.1) */
  batchNormMomentum?: number;
  /** BatchNorm epsilon. @default 1e-5 (PyTorch) */
  batchNormEpsilon?: number;
  /** Seed of the He-normal kernel initialiser. @default 0 */
  seed?: number;
  /** Centre and scale the pooled representation by its moving statistics (feature-batch-norm.ts). @default false */
  featureBatchNorm?: boolean;
  /** Model name (prefix of its layers). @default 'resnet' */
  name?: string;
}

/** A CIFAR ResNet encoder: `[N, H, W, C]` -> `[N, widths.at(-1)]`. */
export function resnet(options: ResNetOptions = {}): tf.LayersModel {
  const {
    inputShape = [32, 32, 3],
    stemWidth = 64,
    widths = [64, 128, 256, 512],
    blocksPerStage = [2, 2, 2, 2],
    batchNormMomentum = 0.9,
    batchNormEpsilon = 1e-5,
    seed = 0,
    featureBatchNorm: neck = false,
    name = 'resnet',
  } = options;
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new ConfigError('resnet', 'inputShape', `must be [height, width, channels], got ${JSON.stringify(inputShape)}`);
  }
  inputShape.forEach((d, i) => assertInteger(d, 'resnet', `inputShape[${i}]`));
  assertInteger(stemWidth, 'resnet', 'stemWidth');
  if (!Array.isArray(widths) || widths.length === 0) {
    throw new ConfigError('resnet', 'widths', `must be a non-empty array of positive integers, got ${JSON.stringify(widths)}`);
  }
  widths.forEach((w, i) => assertInteger(w, 'resnet', `widths[${i}]`));
  if (!Array.isArray(blocksPerStage) || blocksPerStage.length !== widths.length) {
    throw new ConfigError(
      'resnet',
      'blocksPerStage',
      `must have ${widths.length} entries (one per width), got ${JSON.stringify(blocksPerStage)}`,
    );
  }
  blocksPerStage.forEach((b, i) => assertInteger(b, 'resnet', `blocksPerStage[${i}]`));
  if (!(batchNormMomentum >= 0 && batchNormMomentum < 1)) {
    throw new ConfigError('resnet', 'batchNormMomentum', `must be in [0, 1), got ${batchNormMomentum}`);
  }
  if (!(batchNormEpsilon > 0)) throw new ConfigError('resnet', 'batchNormEpsilon', `must be > 0, got ${batchNormEpsilon}`);

  let layerSeed = seed;
  const convBn = (x: tf.SymbolicTensor, filters: number, stride: number, kernelSize: number, label: string): tf.SymbolicTensor => {
    const c = tf.layers
      .conv2d({
        filters,
        kernelSize,
        strides: stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: layerSeed++ }),
        name: `${name}_${label}_conv`,
      })
      .apply(x) as tf.SymbolicTensor;
    return batchNormalization({ momentum: batchNormMomentum, epsilon: batchNormEpsilon, name: `${name}_${label}_bn` }).apply(
      c,
    ) as tf.SymbolicTensor;
  };
  const relu = (x: tf.SymbolicTensor, label: string) => tf.layers.reLU({ name: `${name}_${label}_relu` }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  let h = relu(convBn(input, stemWidth, 1, 3, 'stem'), 'stem'); // [N, H, W, stemWidth]
  let channels = stemWidth;
  widths.forEach((width, s) => {
    for (let b = 0; b < blocksPerStage[s]!; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const label = `s${s + 1}b${b + 1}`;
      const a = relu(convBn(h, width, stride, 3, `${label}a`), `${label}a`);
      const body = convBn(a, width, 1, 3, `${label}b`);
      const shortcut = stride !== 1 || channels !== width ? convBn(h, width, stride, 1, `${label}_short`) : h;
      h = relu(tf.layers.add({ name: `${name}_${label}_add` }).apply([body, shortcut]) as tf.SymbolicTensor, label);
      channels = width;
    }
  });
  h = tf.layers.globalAveragePooling2d({ name: `${name}_gap` }).apply(h) as tf.SymbolicTensor; // [N, widths.at(-1)]
  if (neck)
    h = featureBatchNorm({ name: `${name}_feature_bn`, momentum: batchNormMomentum, epsilon: batchNormEpsilon }).apply(
      h,
    ) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h, name });
}
