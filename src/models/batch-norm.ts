/**
 * Batch normalisation (Ioffe & Szegedy, arXiv:1502.03167) whose training mode is one op forward
 * and one op backward. tfjs-layers computes it as `tf.moments` + `tf.batchNorm`: its gradient
 * then crosses the activation about eight times and keeps every intermediate until the backward
 * pass. Here:
 * - `batchNormTraining(x, gamma, beta)`: y = (x - mean) * rsqrt(variance + epsilon) * gamma + beta,
 *   mean and biased variance over every axis but the last. A backend that registers the kernel
 *   `ContrastiveBatchNormTrain` (`native` and `wasm` do) runs it in one pass pair, and its
 *   gradient in `ContrastiveBatchNormTrainGrad`; elsewhere (cpu, webgl, webgpu) the same math runs
 *   as tf ops, the forward as tfjs-layers computes it, the gradient in closed form:
 *   dx = gamma * inv / N * (N * dy - sum(dy) - xhat * sum(dy * xhat)), dgamma = sum(dy * xhat),
 *   dbeta = sum(dy), with xhat = (x - mean) * inv, inv = rsqrt(variance + epsilon).
 * - `batchNormalization(args)`: a drop-in for `tf.layers.batchNormalization` (same args, config,
 *   weights `gamma`, `beta`, `moving_mean`, `moving_variance`, and className
 *   `BatchNormalization`, so saved models load with plain `tf.loadLayersModel`) whose training
 *   mode uses `batchNormTraining` when the normalised axis is the last one. Moving statistics are
 *   updated as tfjs-layers does: new = old - (old - batch) * (1 - momentum), with the biased batch
 *   variance. Inference mode is tfjs-layers' own (the moving statistics).
 */
import * as tf from '../tf.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertFloat, assertPositive, assertShape, formatShape } from '../validate.js';

/** Name of the training-mode forward kernel: inputs x, gamma, beta; attr epsilon; outputs y, mean, variance. */
export const BATCH_NORM_TRAIN_KERNEL = 'ContrastiveBatchNormTrain';
/** Name of its gradient kernel: inputs x, dy, mean, variance, gamma, dmean, dvariance; outputs dx, dgamma, dbeta. */
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'ContrastiveBatchNormTrainGrad';

/** What `batchNormTraining` returns; the caller owns the three tensors. */
export interface BatchNormTrainingResult {
  /** The normalised, scaled and shifted input, shape of x. */
  y: tf.Tensor;
  /** Batch mean per channel, [C]. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (mean of squared deviations, as `tf.moments`), [C]. */
  variance: tf.Tensor1D;
}

/** Whether the active backend has the one-op kernels (else the tf-ops formulation runs). */
export function hasFusedBatchNormKernel(): boolean {
  return tf.getKernel(BATCH_NORM_TRAIN_KERNEL, tf.getBackend()) !== undefined;
}

/** The axes every channel is reduced over: all but the last. */
const leadingAxes = (rank: number): number[] => Array.from({ length: rank - 1 }, (_, i) => i);

/**
 * The gradient of training-mode batch norm in tf ops (closed form, ~8 passes over the activation).
 * dmean and dvariance are the gradients reaching the mean and variance outputs (null: none).
 */
function gradientOps(
  x: tf.Tensor,
  dy: tf.Tensor,
  gamma: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  dmean: tf.Tensor | null,
  dvariance: tf.Tensor | null,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const axes = leadingAxes(x.rank);
    const n = x.size / x.shape[x.rank - 1]!;
    const inv = tf.rsqrt(tf.add(variance, epsilon)); // [C]
    const xc = tf.sub(x, mean); // [..., C]
    const dbeta = tf.sum(dy, axes); // [C]
    const sumDyXc = tf.sum(tf.mul(dy, xc), axes); // [C]
    const dgamma = tf.mul(sumDyXc, inv); // sum(dy * xhat), [C]
    const a = tf.mul(gamma, inv); // [C]
    let b = tf.div(tf.mul(a, tf.mul(tf.square(inv), sumDyXc)), -n); // [C]
    let d = tf.div(tf.mul(a, dbeta), -n); // [C]
    if (dvariance !== null) b = tf.add(b, tf.mul(dvariance, 2 / n));
    if (dmean !== null) d = tf.add(d, tf.div(dmean, n));
    const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xc, b)), d); // [..., C]
    return [dx, dgamma, dbeta];
  });
}

tf.registerGradient({
  kernelName: BATCH_NORM_TRAIN_KERNEL,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const epsilon = (attrs as { epsilon: number }).epsilon;
    const [dx, dgamma, dbeta] =
      tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, tf.getBackend()) !== undefined
        ? (tf
            .engine()
            .runKernel(
              BATCH_NORM_TRAIN_GRAD_KERNEL,
              { x, dy: dy!, mean, variance, gamma, dmean: dmean!, dvariance: dvariance! },
              { epsilon },
            ) as tf.Tensor[])
        : gradientOps(x, dy!, gamma, mean, variance, dmean!, dvariance!, epsilon);
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
});

/** Training-mode batch norm with tf ops: the forward of tfjs-layers, the closed-form gradient. */
function batchNormTrainingOps(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const f = tf.customGrad((xi, g, b, save) => {
    const { mean, variance } = tf.moments(xi as tf.Tensor, leadingAxes((xi as tf.Tensor).rank)) as {
      mean: tf.Tensor1D;
      variance: tf.Tensor1D;
    };
    const y = tf.batchNorm(xi as tf.Tensor, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, epsilon);
    (save as tf.GradSaveFunc)([xi as tf.Tensor, g as tf.Tensor, mean, variance]);
    stats = [tf.keep(mean), tf.keep(variance)]; // outlive customGrad's scope; re-owned below
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => gradientOps(s[0]!, dy, s[1]!, s[2]!, s[3]!, null, null, epsilon),
    };
  });
  const y = f(x, gamma, beta);
  const [m, v] = stats!;
  const result = { y, mean: tf.clone(m), variance: tf.clone(v) }; // tracked like any op output
  m.dispose();
  v.dispose();
  return result;
}

/**
 * Training-mode batch normalisation over the last axis of x (`[..., C]`, rank >= 2): batch mean
 * and biased variance over every other axis, y = (x - mean) * rsqrt(variance + epsilon) * gamma
 * + beta. One native kernel each way where the backend has it, tf ops elsewhere.
 * `gamma`/`beta` ([C]) null: no scale / no shift. The mean and variance carry the gradient of
 * what uses them on the native and wasm kernels; on the tf-ops path they are constants.
 * @param epsilon added to the variance. @default 1e-3 (tfjs-layers / Keras)
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D | null,
  beta: tf.Tensor1D | null,
  epsilon = 1e-3,
): BatchNormTrainingResult {
  assertFloat(x, 'batchNormTraining', 'x');
  if (x.rank < 2 || x.size === 0) {
    throw new ShapeError('batchNormTraining', 'x', `must have rank >= 2 and at least one element ([..., C]), got ${formatShape(x.shape)}`);
  }
  const c = x.shape[x.rank - 1]!;
  if (gamma !== null) assertShape(gamma, [c], 'batchNormTraining', 'gamma', '(channels of x)');
  if (beta !== null) assertShape(beta, [c], 'batchNormTraining', 'beta', '(channels of x)');
  assertPositive(epsilon, 'batchNormTraining', 'epsilon');
  const [y, mean, variance] = tf.tidy(() => {
    // Absent parameters as ones / zeros: the kernel and its gradient always see three inputs.
    const g = gamma ?? (tf.ones([c]) as tf.Tensor1D);
    const b = beta ?? (tf.zeros([c]) as tf.Tensor1D);
    if (!hasFusedBatchNormKernel()) {
      const r = batchNormTrainingOps(x, g, b, epsilon);
      return [r.y, r.mean, r.variance];
    }
    return tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, { x, gamma: g, beta: b }, { epsilon }) as tf.Tensor[];
  });
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

let fusedEnabled = true;

/**
 * Turns the one-op training path of every `batchNormalization` layer on or off (off: tfjs-layers'
 * moments + batchNorm). For benchmarks and tests; returns the previous setting. @default on
 */
export function useFusedBatchNorm(enabled: boolean): boolean {
  const before = fusedEnabled;
  fusedEnabled = enabled;
  return before;
}

/** The arguments of `tf.layers.batchNormalization`. */
export type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type TfBatchNormalization = ReturnType<typeof tf.layers.batchNormalization>;

/** The fields of tfjs-layers' BatchNormalization this layer reads (private in its typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** tfjs-layers' BatchNormalization class, as registered for deserialisation (no instance made). */
const TfBatchNormalizationClass = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization![0] as unknown as new (
  args?: BatchNormalizationArgs,
) => TfBatchNormalization;

/**
 * tfjs-layers' BatchNormalization with the one-op training path. It keeps the parent's static
 * className, so it serialises (and loads back, anywhere) as a plain `BatchNormalization`.
 */
class FusedBatchNormalization extends TfBatchNormalizationClass {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const self = this as unknown as BatchNormFields;
    const axis = self.axis >= 0 ? self.axis : self.axis + x.rank;
    if (kwargs.training !== true || !fusedEnabled || axis !== x.rank - 1 || x.rank < 2 || x.dtype !== 'float32' || x.size === 0) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const gamma = self.scale && self.gamma !== undefined ? (self.gamma.read() as tf.Tensor1D) : null;
      const beta = self.center && self.beta !== undefined ? (self.beta.read() as tf.Tensor1D) : null;
      const { y, mean, variance } = batchNormTraining(x, gamma, beta, self.epsilon);
      // Moving statistics, with the ops (and so the rounding) of tfjs-layers' doMovingAverage.
      const decay = 1 - self.momentum;
      for (const [variable, value] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const old = variable.read();
          variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
        });
      }
      return y;
    });
  }
}

/**
 * A BatchNormalization layer (the args of `tf.layers.batchNormalization`: axis -1, momentum
 * 0.99, epsilon 1e-3, center, scale, initialisers, name, ...) whose training mode is one op each
 * way (see the file's comment). Serialises as tfjs-layers' `BatchNormalization`.
 */
export function batchNormalization(args: BatchNormalizationArgs = {}): TfBatchNormalization {
  if (args.momentum !== undefined && !(args.momentum >= 0 && args.momentum <= 1)) {
    throw new ConfigError('batchNormalization', 'momentum', `must be in [0, 1], got ${args.momentum}`);
  }
  if (args.epsilon !== undefined) assertPositive(args.epsilon, 'batchNormalization', 'epsilon');
  return new FusedBatchNormalization(args);
}
