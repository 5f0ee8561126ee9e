/**
 * The peer's CIFAR ResNet (stem 32, one basic block per stage at 32/64/128, GAP) written the two
 * ways a TensorFlow.js user writes it, not with this project's one-op BatchNorm layer:
 * - `layersResnet`: tfjs-layers layers, `tf.layers.batchNormalization` included;
 * - `momentsResnet`: raw tf ops on variables, BatchNorm as `tf.moments` + `tf.batchNorm` (training
 *   mode, the moving statistics updated in the forward pass as tfjs-layers does).
 * `npm run bench -- step --arch resnet-layers | resnet-moments` times them (bench/step.ts).
 */
import type * as TF from '../src/tf.js';

type Tf = typeof TF;

/** Something `step` can call like a LayersModel. */
export interface Encoder {
  apply(x: TF.Tensor, kwargs: { training: boolean }): TF.Tensor;
}

/** The peer's ResNet from tfjs-layers layers, with tfjs-layers' own BatchNormalization. */
export function layersResnet(tf: Tf, inputShape: [number, number, number]): TF.LayersModel {
  let seed = 0;
  const convBn = (x: TF.SymbolicTensor, filters: number, stride: number, k: number): TF.SymbolicTensor => {
    const c = tf.layers
      .conv2d({
        filters,
        kernelSize: k,
        strides: stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
      })
      .apply(x) as TF.SymbolicTensor;
    return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(c) as TF.SymbolicTensor;
  };
  const relu = (x: TF.SymbolicTensor): TF.SymbolicTensor => tf.layers.reLU().apply(x) as TF.SymbolicTensor;
  const input = tf.input({ shape: inputShape });
  let h = relu(convBn(input, 32, 1, 3));
  let channels = 32;
  for (const [width, stride] of [
    [32, 1],
    [64, 2],
    [128, 2],
  ] as const) {
    const body = convBn(relu(convBn(h, width, stride, 3)), width, 1, 3);
    const shortcut = stride !== 1 || channels !== width ? convBn(h, width, stride, 1) : h;
    h = relu(tf.layers.add().apply([body, shortcut]) as TF.SymbolicTensor);
    channels = width;
  }
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(h) as TF.SymbolicTensor });
}

/** The peer's ResNet in raw ops: variables, tf.conv2d, and BatchNorm through tf.moments. */
export function momentsResnet(tf: Tf, inputShape: [number, number, number]): Encoder {
  let seed = 0;
  interface ConvBn {
    w: TF.Variable;
    gamma: TF.Variable;
    beta: TF.Variable;
    movingMean: TF.Variable;
    movingVar: TF.Variable;
    stride: number;
  }
  const convBn = (ci: number, co: number, stride: number, k: number): ConvBn => ({
    w: tf.variable(tf.randomNormal([k, k, ci, co], 0, Math.sqrt(2 / (k * k * ci)), 'float32', seed++)),
    gamma: tf.variable(tf.ones([co])),
    beta: tf.variable(tf.zeros([co])),
    movingMean: tf.variable(tf.zeros([co]), false),
    movingVar: tf.variable(tf.ones([co]), false),
    stride,
  });
  const runConvBn = (p: ConvBn, x: TF.Tensor4D, training: boolean): TF.Tensor4D => {
    const y = tf.conv2d(x, p.w as TF.Tensor4D, p.stride, 'same'); // [N, H, W, co]
    if (!training) return tf.batchNorm(y, p.movingMean, p.movingVar, p.beta, p.gamma, 1e-5) as TF.Tensor4D;
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    // the moving statistics, as tfjs-layers updates them inside its training call
    tf.tidy(() => {
      p.movingMean.assign(tf.add(tf.mul(p.movingMean, 0.9), tf.mul(mean, 0.1)));
      p.movingVar.assign(tf.add(tf.mul(p.movingVar, 0.9), tf.mul(variance, 0.1)));
    });
    return tf.batchNorm(y, mean, variance, p.beta, p.gamma, 1e-5) as TF.Tensor4D;
  };
  const stem = convBn(inputShape[2], 32, 1, 3);
  const blocks: { a: ConvBn; b: ConvBn; shortcut?: ConvBn }[] = [];
  let channels = 32;
  for (const [width, stride] of [
    [32, 1],
    [64, 2],
    [128, 2],
  ] as const) {
    blocks.push({
      a: convBn(channels, width, stride, 3),
      b: convBn(width, width, 1, 3),
      ...(stride !== 1 || channels !== width ? { shortcut: convBn(channels, width, stride, 1) } : {}),
    });
    channels = width;
  }
  return {
    apply(x, { training }) {
      let h: TF.Tensor4D = tf.relu(runConvBn(stem, x as TF.Tensor4D, training));
      for (const b of blocks) {
        const body = runConvBn(b.b, tf.relu(runConvBn(b.a, h, training)), training);
        h = tf.relu(tf.add(body, b.shortcut === undefined ? h : runConvBn(b.shortcut, h, training))) as TF.Tensor4D;
      }
      return tf.mean(h, [1, 2]);
    },
  };
}
