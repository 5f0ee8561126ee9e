/**
 * Multinomial logistic regression, L2-penalised, fitted full-batch by L-BFGS:
 *   minimise  mean_i CE(softmax(x_i W + b), y_i) + (λ / 2) ||W||²   (the bias is not penalised).
 * The gradient is written out (W: Xᵀ(P - Y) / N + λW, b: mean(P - Y)) rather than taken by
 * autodiff, and Xᵀ is materialised once (transposed matMuls are slow on wasm). Losses and
 * gradients are summed in float64.
 * Internal to the linear probe; inputs are already standardised.
 */
import * as tf from '../tf.js';
import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.js';

/** Weights `[D, C]` then bias `[C]`, flattened, float64. */
export type SoftmaxParams = Float64Array;

/** Training data held on the backend for repeated fits (different λ, warm starts). */
export class SoftmaxProblem {
  readonly n: number;
  readonly dim: number;
  readonly numClasses: number;
  private readonly x: tf.Tensor2D; // [N, D]
  private readonly xT: tf.Tensor2D; // [D, N]
  private readonly labels: Int32Array;

  /** `x`: standardised features `[N, D]` (kept, not copied: the caller keeps it alive); labels in [0, C). */
  constructor(x: tf.Tensor2D, labels: Int32Array, numClasses: number) {
    this.n = x.shape[0];
    this.dim = x.shape[1];
    this.numClasses = numClasses;
    this.x = x;
    this.xT = tf.transpose(x);
    this.labels = labels;
  }

  /** Zero weights and bias. */
  zeros(): SoftmaxParams {
    return new Float64Array(this.dim * this.numClasses + this.numClasses);
  }

  /**
   * Penalised mean cross-entropy and its gradient at `p`. The two matMuls run on the backend; the
   * softmax over the `[N, C]` logits runs in one plain loop here (a handful of element-wise kernels
   * otherwise, slow on some backends).
   */
  async lossAndGrad(p: SoftmaxParams, l2: number): Promise<{ loss: number; grad: Float64Array }> {
    const { dim: d, numClasses: c, n, labels } = this;
    const logitsT = tf.tidy(() => tf.matMul(this.x, tf.tensor2d(Float32Array.from(p.subarray(0, d * c)), [d, c]))); // [N, C], bias added below
    const logits = (await logitsT.data()) as Float32Array;
    logitsT.dispose();
    const diff = new Float32Array(n * c); // (P - Y) / N
    const gb = new Float64Array(c);
    let ce = 0;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, logits[row + j]! + p[d * c + j]!);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(logits[row + j]! + p[d * c + j]! - max);
      const logSum = Math.log(sum) + max;
      const y = labels[i]!;
      ce += logSum - (logits[row + y]! + p[d * c + y]!);
      for (let j = 0; j < c; j++) {
        const g = (Math.exp(logits[row + j]! + p[d * c + j]! - logSum) - (j === y ? 1 : 0)) / n;
        diff[row + j] = g;
        gb[j]! += g;
      }
    }
    const gWT = tf.tidy(() => tf.matMul(this.xT, tf.tensor2d(diff, [n, c]))); // [D, C]
    const gW = await gWT.data();
    gWT.dispose();
    const grad = new Float64Array(p.length);
    let penalty = 0;
    for (let i = 0; i < d * c; i++) {
      penalty += p[i]! * p[i]!;
      grad[i] = gW[i]! + l2 * p[i]!;
    }
    grad.set(gb, d * c);
    return { loss: ce / n + 0.5 * l2 * penalty, grad };
  }

  /** Fits with penalty `l2`, starting from `init` (default zeros). */
  async fit(
    l2: number,
    init: SoftmaxParams = this.zeros(),
    options: LbfgsOptions = {},
  ): Promise<{ params: SoftmaxParams; iterations: number }> {
    const r = await minimizeLbfgs((p) => this.lossAndGrad(p, l2), init, options);
    return { params: r.x, iterations: r.iterations };
  }

  dispose(): void {
    this.xT.dispose();
  }
}

/** Predicted class and mean cross-entropy of `x` `[M, D]` under `p` (cross-entropy only with labels). */
export async function softmaxPredict(
  x: tf.Tensor2D,
  p: SoftmaxParams,
  numClasses: number,
  labels?: Int32Array,
): Promise<{ predictions: Int32Array; crossEntropy: number }> {
  const d = x.shape[1];
  const [pred, ce] = tf.tidy(() => {
    const w = tf.tensor2d(Float32Array.from(p.subarray(0, d * numClasses)), [d, numClasses]);
    const b = tf.tensor1d(Float32Array.from(p.subarray(d * numClasses)));
    const logits = tf.add(tf.matMul(x, w), b); // [M, C]
    const pred = tf.argMax(logits, 1); // [M]
    if (labels === undefined || labels.length === 0) return [pred, tf.scalar(NaN)];
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
    return [pred, tf.neg(tf.mean(tf.sum(tf.mul(tf.cast(y, 'float32'), tf.logSoftmax(logits)), 1)))];
  });
  const predictions = Int32Array.from(await pred.data());
  const crossEntropy = (await ce.data())[0]!;
  tf.dispose([pred, ce]);
  return { predictions, crossEntropy };
}
