/**
 * Multinomial logistic regression, L2-penalised, fitted full-batch by L-BFGS:
 *   minimise  mean_i CE(softmax(x_i W + b), y_i) + (λ / 2) ||W||²   (the bias is not penalised).
 * The gradient is written out (W: Xᵀ(P - Y) / N + λW, b: mean(P - Y)) rather than taken by
 * autodiff, and Xᵀ is materialised once (transposed matMuls are slow on wasm).
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
  private readonly y: tf.Tensor2D; // [N, C] one-hot

  /** `x`: standardised features `[N, D]` (kept, not copied: the caller keeps it alive); labels in [0, C). */
  constructor(x: tf.Tensor2D, labels: Int32Array, numClasses: number) {
    this.n = x.shape[0];
    this.dim = x.shape[1];
    this.numClasses = numClasses;
    this.x = x;
    this.xT = tf.transpose(x);
    this.y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D);
  }

  /** Zero weights and bias. */
  zeros(): SoftmaxParams {
    return new Float64Array(this.dim * this.numClasses + this.numClasses);
  }

  /** Penalised mean cross-entropy and its gradient at `p`. */
  async lossAndGrad(p: SoftmaxParams, l2: number): Promise<{ loss: number; grad: Float64Array }> {
    const { dim: d, numClasses: c, n } = this;
    const [ce, gW, gb] = tf.tidy(() => {
      const w = tf.tensor2d(Float32Array.from(p.subarray(0, d * c)), [d, c]);
      const b = tf.tensor1d(Float32Array.from(p.subarray(d * c)));
      const logp = tf.logSoftmax(tf.add(tf.matMul(this.x, w), b)); // [N, C]
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(this.y, logp), 1))); // []
      const diff = tf.div(tf.sub(tf.exp(logp), this.y), n); // [N, C] (P - Y) / N
      return [ce, tf.matMul(this.xT, diff), tf.sum(diff, 0)]; // [], [D, C], [C]
    });
    const [ceV, gWV, gbV] = await Promise.all([ce.data(), gW.data(), gb.data()]);
    tf.dispose([ce, gW, gb]);
    const grad = new Float64Array(p.length);
    let penalty = 0;
    for (let i = 0; i < d * c; i++) {
      penalty += p[i]! * p[i]!;
      grad[i] = gWV[i]! + l2 * p[i]!;
    }
    grad.set(gbV, d * c);
    return { loss: ceV[0]! + 0.5 * l2 * penalty, grad };
  }

  /** Fits with penalty `l2`, starting from `init` (default zeros). */
  async fit(l2: number, init: SoftmaxParams = this.zeros(), options: LbfgsOptions = {}): Promise<{ params: SoftmaxParams; iterations: number }> {
    const r = await minimizeLbfgs((p) => this.lossAndGrad(p, l2), init, options);
    return { params: r.x, iterations: r.iterations };
  }

  dispose(): void {
    tf.dispose([this.xT, this.y]);
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
