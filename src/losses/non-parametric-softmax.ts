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
import type { MemoryBank } from '../memory/memory-bank.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertFloatTensor, assertOptions } from './check.js';
import { assertInteger, assertPositive, assertShape, describe } from '../validate.js';
import { ShapeError } from '../errors.js';

export interface NonParametricSoftmaxOptions {
  /** Temperature τ. @default 0.07 (NPID, arXiv:1805.01978, Section 3.1) */
  temperature?: number;
  /** Bank rows per chunk. @default 16384 (with B = 256: 4M logits, 16 MB, per chunk) */
  chunkRows?: number;
  /**
   * Most probabilities (`B x N` values) kept from the forward pass for the backward pass; above
   * it the backward pass recomputes them chunk by chunk (slower, memory `B x chunkRows`).
   * @default 33554432 (2^25 values, 128 MB: B = 256 with N up to 131k)
   */
  cacheValues?: number;
}

/**
 * - `features`: [B, D] features v (L2-normalised here).
 * - `bank`: the memory bank, read as it is now: call before this step's `update`. The backward
 *   pass reads the bank again (chunk by chunk), so update it only after the gradients are taken.
 * - `indices`: [B] the bank row (instance) of each feature: the target class.
 *
 * Returns the mean cross-entropy, a scalar.
 */
export function nonParametricSoftmaxLoss(
  features: tf.Tensor2D,
  bank: MemoryBank,
  indices: ArrayLike<number>,
  options: NonParametricSoftmaxOptions = {},
): tf.Scalar {
  const fn = 'nonParametricSoftmaxLoss';
  assertOptions(options, fn);
  const { temperature = 0.07, chunkRows = 16384, cacheValues = 2 ** 25 } = options;
  assertFloatTensor(features, 2, fn, 'features');
  assertShape(features, [-1, bank.dim], fn, 'features', `[B, D] with D = ${bank.dim} from the bank`);
  if (indices === null || typeof indices !== 'object' || indices.length !== features.shape[0]) {
    throw new ShapeError(
      fn,
      'indices',
      `must hold one bank index per row of features (${features.shape[0]}), got ${indices?.length ?? describe(indices)}`,
    );
  }
  assertPositive(temperature, fn, 'temperature');
  assertInteger(chunkRows, fn, 'chunkRows');
  assertInteger(cacheValues, fn, 'cacheValues', 0);
  const b = features.shape[0];
  const targets = bank.get(indices); // [B, D]; also checks the indices' range
  const chunks: [number, number][] = [];
  for (let s = 0; s < bank.size; s += chunkRows) chunks.push([s, Math.min(chunkRows, bank.size - s)]);
  const cache = b * bank.size <= cacheValues;

  const loss = tf.customGrad((...args) => {
    const v = args[0] as tf.Tensor2D; // [B, D], already normalised
    const save = args[1] as (tensors: tf.Tensor[]) => void;
    const scaled = tf.div(v, temperature); // [B, D]: v / τ, so that logits need no division
    const kept: tf.Tensor[] = []; // per chunk, when caching: exp(logits - running max) [B, c] and that max [B, 1]
    let max: tf.Tensor = tf.fill([b, 1], -Infinity); // [B, 1]
    let sum: tf.Tensor = tf.zeros([b, 1]); // [B, 1]: Σ exp(logit - max)
    for (const [start, count] of chunks) {
      const [nextMax, nextSum, e] = tf.tidy(() => {
        const chunkT = bank.slice(start, count, { transposed: true }); // [D, c]
        const logits = tf.matMul(scaled, chunkT); // [B, c]
        const m = tf.maximum(max, tf.max(logits, 1, true)); // [B, 1]
        const ex = tf.exp(tf.sub(logits, m)); // [B, c]
        return [m, tf.add(tf.mul(sum, tf.exp(tf.sub(max, m))), tf.sum(ex, 1, true)), ex];
      });
      sum.dispose();
      if (cache)
        kept.push(e, nextMax); // the previous max stays in `kept`
      else tf.dispose([e, max]);
      max = nextMax;
      sum = nextSum;
    }
    const lse = tf.add(max, tf.log(sum)); // [B, 1]
    if (!cache) max.dispose(); // else it is the last entry of `kept`
    sum.dispose();
    const value = tf.tidy(() => tf.mean(tf.sub(lse, tf.sum(tf.mul(scaled, targets), 1, true))) as tf.Scalar);
    save([scaled, lse, targets, ...kept]); // kept (cloned) by the engine until the backward pass
    tf.dispose([scaled, lse, ...kept]);
    return {
      value,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sScaled, sLse, sTargets] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          let expected: tf.Tensor = tf.zeros([b, bank.dim]); // [B, D]: Σ_j P(j|v) m_j
          chunks.forEach(([start, count], k) => {
            const next = tf.tidy(() => {
              const p = cache
                ? tf.mul(saved[3 + 2 * k]!, tf.exp(tf.sub(saved[4 + 2 * k]!, sLse))) // [B, c]: exp(logits - max) exp(max - lse)
                : tf.exp(tf.sub(tf.matMul(sScaled, bank.slice(start, count, { transposed: true })), sLse)); // [B, c]
              return tf.add(expected, tf.matMul(p, bank.slice(start, count))); // [B, D]
            });
            expected.dispose();
            expected = next;
          });
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
