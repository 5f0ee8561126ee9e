/**
 * Hue rotation in HSV space, batched with a per-sample shift (internal to colorJitter).
 * Equivalent to torchvision's `adjust_hue`: RGB -> HSV, h = (h + shift) mod 1, HSV -> RGB,
 * written with the closed form `c_n = V - (V - min) * clamp(min(k, 4 - k), 0, 1)`,
 * `k = (n + 6h) mod 6`, n = 5, 3, 1 for R, G, B (saturation and value are unchanged).
 * Channels are combined with small matrix products rather than split or sliced: those are
 * slow on the CPU-class backends, a [N, 3] x [3, k] product is not.
 */
import * as tf from '../tf.js';

/** Columns g - b, b - r, r - g of [r, g, b] rows: the hue numerators when R, G or B is the largest. */
const DIFFS = [
  [0, -1, 1],
  [1, 0, -1],
  [-1, 1, 0],
];

/** Shifts the hue of sample b by `shift[b]` turns. x: [B, H, W, 3] in [0, 1]; shift: [B] (any value, taken mod 1). */
export function shiftHue(x: tf.Tensor4D, shift: ArrayLike<number>): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  return tf.tidy(() => {
    const rgb = tf.reshape(x, [batch * height * width, 3]); // [N, 3], N = B H W
    const maxc = tf.max(rgb, 1, true); // [N, 1]: V
    const chroma = tf.sub(maxc, tf.min(rgb, 1, true)); // [N, 1]: V - min = V S
    const diffs = tf.matMul(rgb, tf.tensor2d(DIFFS.flat(), [3, 3])); // [N, 3]: g - b, b - r, r - g
    // Hue in sixths of a turn from the first largest channel j: diff_j / chroma + 2 j (grey: 0 / tiny = 0).
    // oneHot as int32 then cast: tfjs-backend-wasm 4.22 writes a float32 oneHot's 1 as the int bit pattern.
    const first = tf.cast(tf.oneHot(tf.argMax(rgb, 1), 3), 'float32'); // [N, 3]
    const sector = tf.add(tf.div(diffs, tf.maximum(chroma, 1e-12)), tf.tensor2d([[0, 2, 4]])); // [N, 3]
    const h6 = tf.sum(tf.mul(first, sector), 1, true); // [N, 1], in (-1, 5]
    // Shifts reduced to [0, 1) turns, so every argument of mod below is positive: backends
    // disagree on the sign of a remainder (floor vs truncated), not on positive ones.
    const shift6 = tf.tensor2d(
      Float32Array.from(shift, (s) => 6 * (s - Math.floor(s))),
      [batch, 1],
    ); // [B, 1], in [0, 6)
    const shifted = tf.reshape(tf.add(tf.reshape(h6, [batch, height * width]), shift6), [-1, 1]); // [N, 1]
    const k = tf.mod(tf.add(shifted, tf.tensor2d([[5, 3, 1]])), 6); // [N, 3]: argument in (0, 17), result in [0, 6)
    const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1); // [N, 3]
    return tf.reshape(tf.sub(maxc, tf.mul(chroma, ramp)), [batch, height, width, 3]) as tf.Tensor4D;
  });
}
