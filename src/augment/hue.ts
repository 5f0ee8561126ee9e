/**
 * Hue rotation in HSV space, batched with a per-sample shift (internal to colorJitter).
 * Equivalent to torchvision's `adjust_hue`: RGB -> HSV, h = (h + shift) mod 1, HSV -> RGB,
 * written with the closed form `c_n = V - (V - min) * clamp(min(k, 4 - k), 0, 1)`,
 * `k = (n + 6h) mod 6`, n = 5, 3, 1 for R, G, B (saturation and value are unchanged).
 */
import * as tf from '../tf.js';

/** x - m * floor(x / m): a remainder in [0, m) for any sign of x. */
function floorMod(x: tf.Tensor, m: number): tf.Tensor {
  return tf.sub(x, tf.mul(tf.floor(tf.div(x, m)), m));
}

/** Shifts the hue of sample b by `shift[b]` turns. x: [B, H, W, 3] in [0, 1]; shift: [B, 1, 1, 1]. */
export function shiftHue(x: tf.Tensor4D, shift: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(x, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // [B, H, W, 1] each
    const maxc = tf.max(x, 3, true); // [B, H, W, 1]: V
    const chroma = tf.sub(maxc, tf.min(x, 3, true)); // [B, H, W, 1]: V - min = V * S
    const safe = tf.add(chroma, tf.cast(tf.equal(chroma, 0), 'float32')); // no division by 0 on grey pixels
    const isR = tf.cast(tf.equal(maxc, r), 'float32');
    const isG = tf.mul(tf.cast(tf.equal(maxc, g), 'float32'), tf.sub(1, isR));
    const isB = tf.sub(tf.sub(1, isR), isG);
    // Hue in sixths of a turn, [B, H, W, 1] (any sign; wrapped below).
    const h6 = tf.addN([
      tf.mul(isR, tf.div(tf.sub(g, b), safe)),
      tf.mul(isG, tf.add(tf.div(tf.sub(b, r), safe), 2)),
      tf.mul(isB, tf.add(tf.div(tf.sub(r, g), safe), 4)),
    ]);
    const shifted = tf.add(h6, tf.mul(shift, 6)); // [B, H, W, 1]
    const n = tf.tensor4d([5, 3, 1], [1, 1, 1, 3]);
    const k = floorMod(tf.add(shifted, n), 6); // [B, H, W, 3]
    const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1); // [B, H, W, 3]
    return tf.sub(maxc, tf.mul(chroma, ramp)) as tf.Tensor4D;
  });
}
