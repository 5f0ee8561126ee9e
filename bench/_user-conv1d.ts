/**
 * A 1-D convolutional encoder as a TensorFlow.js user writes it with tfjs-layers, for audio-like
 * signals ([length, 1]): `tf.layers.conv1d` (kernel 9, no bias) - BatchNormalization - ReLU units,
 * global average pooling. The PyTorch twin is `conv1d` in bench/peers/user_models_step_torch.py;
 * `npm run bench -- step --arch conv1d-layers` times both.
 */
import type * as TF from '../src/tf.js';

type Tf = typeof TF;

/** Output channels and stride of each conv-BN-ReLU unit. */
export const CONV1D_UNITS: readonly (readonly [number, number])[] = [
  [32, 2],
  [64, 2],
  [128, 2],
  [128, 1],
];

/** Kernel size of every unit. */
export const CONV1D_KERNEL = 9;

/** The encoder from tfjs-layers layers, for `inputShape` = [length, channels] signals. */
export function layersConv1d(tf: Tf, inputShape: [number, number]): TF.LayersModel {
  let seed = 200;
  const input = tf.input({ shape: inputShape });
  let h: TF.SymbolicTensor = input;
  for (const [filters, stride] of CONV1D_UNITS) {
    const c = tf.layers
      .conv1d({
        filters,
        kernelSize: CONV1D_KERNEL,
        strides: stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
      })
      .apply(h) as TF.SymbolicTensor;
    const b = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(c) as TF.SymbolicTensor;
    h = tf.layers.reLU().apply(b) as TF.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling1d({}).apply(h) as TF.SymbolicTensor });
}
