/**
 * A MobileNet-style encoder as a TensorFlow.js user writes it with tfjs-layers (issue 19: "also
 * measured with models you do not have"): a 3x3 conv stem, then depthwise-separable blocks
 * (`tf.layers.depthwiseConv2d` 3x3 - BatchNormalization - ReLU6, `tf.layers.conv2d` 1x1 -
 * BatchNormalization - ReLU6), global average pooling. ReLU6 is `tf.layers.reLU({ maxValue: 6 })`,
 * Keras' `ReLU(6.)` as in its MobileNet. The PyTorch twin is `mobilenet` in
 * bench/peers/user_models_step_torch.py; `npm run bench -- step --arch mobilenet-layers` times both.
 */
import type * as TF from '../src/tf.js';

type Tf = typeof TF;

/** Output channels and stride of each depthwise-separable block after the stem. */
export const MOBILENET_BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
];

/** Width of the stem, and of the encoder's output (the last block's). */
export const MOBILENET_STEM = 32;
export const MOBILENET_OUT = 256;

/** The MobileNet-style encoder from tfjs-layers layers, for `inputShape` images. */
export function layersMobilenet(tf: Tf, inputShape: [number, number, number]): TF.LayersModel {
  let seed = 100;
  const bnRelu6 = (x: TF.SymbolicTensor): TF.SymbolicTensor => {
    const b = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(x) as TF.SymbolicTensor;
    return tf.layers.reLU({ maxValue: 6 }).apply(b) as TF.SymbolicTensor;
  };
  const conv = (x: TF.SymbolicTensor, filters: number, k: number, stride: number): TF.SymbolicTensor =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: k,
        strides: stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
      })
      .apply(x) as TF.SymbolicTensor;
  const depthwise = (x: TF.SymbolicTensor, stride: number): TF.SymbolicTensor =>
    tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: tf.initializers.heNormal({ seed: seed++ }),
      })
      .apply(x) as TF.SymbolicTensor;
  const input = tf.input({ shape: inputShape });
  let h = bnRelu6(conv(input, MOBILENET_STEM, 3, 1));
  for (const [width, stride] of MOBILENET_BLOCKS) h = bnRelu6(conv(bnRelu6(depthwise(h, stride)), width, 1, 1));
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(h) as TF.SymbolicTensor });
}
