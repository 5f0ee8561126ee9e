import * as tf from '../tf.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { ShapeError } from '../errors.js';
import { assertPositive, assertSameShape } from '../validate.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { assertFloatTensor, assertOptions } from './check.js';

export interface MultiPositiveNtXentOptions {
  /** Softmax temperature τ. @default 0.5 (SimCLR, arXiv:2002.05709, its CIFAR-10 setting) */
  temperature?: number;
}

/**
 * NT-Xent with several positives per anchor, for multi-crop (Caron et al. 2020, SwAV,
 * arXiv:2006.09882, §3.2, applied to NT-Xent as in lightly's and solo-learn's multi-crop SimCLR).
 *
 * - `views`: V >= 2 tensors [N, D]; row i of every view comes from sample i.
 *
 * The VN embeddings are L2-normalised and each is an anchor; its positives are the V - 1 other
 * views of its sample, its candidates every other embedding. Per anchor a and positive p:
 * `-log( exp(s_ap / τ) / Σ_{k≠a} exp(s_ak / τ) )`, averaged over the V - 1 positives and then the
 * VN anchors (the "outside" form of SupCon, Khosla et al. 2020, arXiv:2004.11362, Eq. 2, with
 * the sample as the class). With V = 2 it is exactly NT-Xent (`ntXentLoss`). A scalar.
 */
export function multiPositiveNtXentLoss(views: readonly tf.Tensor2D[], options: MultiPositiveNtXentOptions = {}): tf.Scalar {
  const fn = 'multiPositiveNtXentLoss';
  assertOptions(options, fn);
  const { temperature = 0.5 } = options;
  if (!Array.isArray(views) || views.length < 2)
    throw new ShapeError(
      fn,
      'views',
      `must be an array of at least 2 views [N, D], got ${Array.isArray(views) ? views.length : typeof views}`,
    );
  views.forEach((v, i) => {
    assertFloatTensor(v, 2, fn, `views[${i}]`);
    if (i > 0) assertSameShape(v, views[0]!, fn, `views[${i}]`, 'views[0]');
  });
  assertPositive(temperature, fn, 'temperature');
  const v = views.length;
  const n = views[0]!.shape[0];
  const m = v * n;
  // positives: same sample (row i mod N), other view
  const pos = new Float32Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) if (a !== b && a % n === b % n) pos[a * m + b] = 1 / (v - 1);
  return tf.tidy(() => {
    const z = l2Normalize(tf.concat(views as tf.Tensor2D[], 0)); // [VN, D]
    const logits = tf.div(tf.matMul(z, tf.transpose(z)), temperature); // [VN, VN]
    const selfMask = tf.mul(tf.eye(m), -(2 / temperature + 1e3)); // [VN, VN]: the anchor is not its own candidate
    const logNormaliser = logSumExp(tf.add(logits, selfMask), 1); // [VN]
    const positives = tf.sum(tf.mul(logits, tf.tensor2d(pos, [m, m])), 1); // [VN]: mean positive logit
    return tf.mean(tf.sub(logNormaliser, positives)) as tf.Scalar;
  });
}
