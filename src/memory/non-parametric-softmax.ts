/**
 * NPID's full non-parametric softmax (Wu et al. 2018, https://arxiv.org/abs/1805.01978, Eq. 2):
 * every instance is its own class and the bank rows are the class weights,
 * `P(i|v) = exp(m_i.v / τ) / Σ_j exp(m_j.v / τ)` over all N rows; the loss is
 * `-mean_b log P(i_b | v_b)`, i.e. the cross-entropy of the logits `bank . v / τ` with target i_b.
 *
 * Memory stays bounded for large banks: the bank is visited in chunks of rows, both in the
 * forward pass (a running log-sum-exp) and in the hand-written backward pass
 * (`dL/dv_b = (Σ_j P(j|v_b) m_j - m_{i_b}) / (τ B)`), so at most `[B, chunkRows]` logits exist at a
 * time instead of `[B, N]`. Gradients flow to `features` only; the bank is data.
 */
import * as tf from '../tf.js';
import type { MemoryBank } from './memory-bank.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertFloatTensor, assertOptions } from '../losses/check.js';
import { assertInteger, assertPositive, assertShape } from '../validate.js';
import { ShapeError } from '../errors.js';

export interface NonParametricSoftmaxOptions {
  /** Temperature τ. @default 0.07 (NPID, arXiv:1805.01978, Section 3.1) */
  temperature?: number;
  /** Bank rows per chunk. @default 16384 (with B = 256: 4M logits, 16 MB, per chunk) */
  chunkRows?: number;
}

/**
 * - `features`: [B, D] features v (L2-normalised here).
 * - `bank`: the memory bank, read as it is now: call before this step's `update`. The backward
 *   pass reads the bank again (chunk by chunk), so update it only after the gradients are taken.
 * - `indices`: [B] the bank row (instance) of each feature: the target class.
 *
 * Returns the mean cross-entropy, a scalar.
 */
export function nonParametricSoftmaxLoss(features: tf.Tensor2D, bank: MemoryBank, indices: ArrayLike<number>, options: NonParametricSoftmaxOptions = {}): tf.Scalar {
  const fn = 'nonParametricSoftmaxLoss';
  assertOptions(options, fn);
  const { temperature = 0.07, chunkRows = 16384 } = options;
  assertFloatTensor(features, 2, fn, 'features');
  assertShape(features, [-1, bank.dim], fn, 'features', `[B, D] with D = ${bank.dim} from the bank`);
  if (indices === null || typeof indices !== 'object' || indices.length !== features.shape[0]) {
    throw new ShapeError(fn, 'indices', `must hold one bank index per row of features (${features.shape[0]}), got ${indices?.length ?? String(indices)}`);
  }
  assertPositive(temperature, fn, 'temperature');
  assertInteger(chunkRows, fn, 'chunkRows');
  const b = features.shape[0];
  const targets = bank.get(indices); // [B, D]; also checks the indices' range
  const starts: number[] = [];
  for (let s = 0; s < bank.size; s += chunkRows) starts.push(s);
  const range = (s: number): Int32Array => Int32Array.from({ length: Math.min(chunkRows, bank.size - s) }, (_, i) => s + i);

  const loss = tf.customGrad((...args) => {
    const v = args[0] as tf.Tensor2D; // [B, D], already normalised
    const save = args[1] as (tensors: tf.Tensor[]) => void;
    const lse = tf.tidy(() => {
      let max: tf.Tensor = tf.fill([b, 1], -Infinity); // [B, 1]
      let sum: tf.Tensor = tf.zeros([b, 1]); // [B, 1]: Σ exp(logit - max)
      for (const s of starts) {
        const chunkT = bank.getTransposed(range(s)); // [D, c]
        const logits = tf.div(tf.matMul(v, chunkT), temperature); // [B, c]
        const newMax = tf.maximum(max, tf.max(logits, 1, true)); // [B, 1]
        const next = tf.add(tf.mul(sum, tf.exp(tf.sub(max, newMax))), tf.sum(tf.exp(tf.sub(logits, newMax)), 1, true));
        tf.dispose([chunkT, logits, sum, max]);
        max = newMax;
        sum = next;
      }
      return tf.add(max, tf.log(sum)); // [B, 1]
    });
    save([v, lse, targets]); // kept by the engine until the backward pass
    const value = tf.tidy(() => {
      const target = tf.div(tf.sum(tf.mul(v, targets), 1, true), temperature); // [B, 1]
      return tf.mean(tf.sub(lse, target)) as tf.Scalar;
    });
    lse.dispose();
    return {
      value,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sv, slse, sTargets] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          let expected: tf.Tensor = tf.zeros([b, bank.dim]); // [B, D]: Σ_j P(j|v) m_j
          for (const s of starts) {
            const idx = range(s);
            const chunkT = bank.getTransposed(idx); // [D, c]
            const chunk = bank.get(idx); // [c, D]
            const p = tf.exp(tf.sub(tf.div(tf.matMul(sv, chunkT), temperature), slse)); // [B, c]
            const next = tf.add(expected, tf.matMul(p, chunk)); // [B, D]
            tf.dispose([chunkT, chunk, p, expected]);
            expected = next;
          }
          return tf.mul(tf.sub(expected, sTargets), tf.div(dy, temperature * b)); // [B, D]
        }),
    };
  }) as (v: tf.Tensor2D) => tf.Scalar;

  try {
    return tf.tidy(() => loss(l2Normalize(features)));
  } finally {
    targets.dispose();
  }
}
