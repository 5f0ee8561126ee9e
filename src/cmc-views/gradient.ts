/**
 * A grey-level gradient view: Sobel derivatives of the grey level (BT.601 luma of RGB, or the
 * single channel of a grey image), with the border pixels replicated so the edge of the image is
 * not an edge. Sobel kernels sum |weights| to 4, so dx, dy of values in [0, 1] are divided by 4
 * and lie in [-1, 1].
 * - `'magnitude'`: `[B, H, W, 1]`, sqrt(dx² + dy²) in [0, sqrt 2]: where the edges are, not which way.
 * - `'dxdy'`: `[B, H, W, 2]`, the signed derivatives (orientation kept).
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { describe } from '../validate.js';
import type { View } from './view.js';
import { assertImages, greyLevel } from './image-input.js';

export type GradientOutput = 'magnitude' | 'dxdy';

export interface GradientOptions {
  /**
   * `'magnitude'` (1 channel) or `'dxdy'` (2 channels). The magnitude is the default: it drops the
   * sign, so it is not a linear re-coding of the L view (which dx/dy nearly is, up to a constant)
   * and the views share shape, not raw intensity.
   * @default 'magnitude'
   */
  output?: GradientOutput;
}

/** Sobel x (columns) and y (rows) kernels, [3, 3, 1, 2] for one conv2d, divided by 4. */
const SOBEL = [
  // row -1: (dx, dy) per column -1, 0, 1
  [-1, -1],
  [0, -2],
  [1, -1],
  [-2, 0],
  [0, 0],
  [2, 0],
  [-1, 1],
  [0, 2],
  [1, 1],
]
  .flat()
  .map((v) => v / 4);

/** `[B, H, W, 1]` padded by one replicated pixel on every side: `[B, H + 2, W + 2, 1]`. Call inside tf.tidy. */
function replicatePad(y: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = y.shape;
  const rows = tf.concat([tf.slice(y, [0, 0, 0, 0], [-1, 1, -1, -1]), y, tf.slice(y, [0, h - 1, 0, 0], [-1, 1, -1, -1])], 1); // [B, H+2, W, 1]
  return tf.concat(
    [tf.slice(rows, [0, 0, 0, 0], [-1, -1, 1, -1]), rows, tf.slice(rows, [0, 0, w - 1, 0], [-1, -1, 1, -1])],
    2,
  ) as tf.Tensor4D;
}

/** The gradient view. */
export function gradient(options: GradientOptions = {}): View {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('gradient', 'options', `must be an object, got ${describe(options)}`);
  const { output = 'magnitude' } = options;
  if (output !== 'magnitude' && output !== 'dxdy')
    throw new ConfigError('gradient', 'output', `must be 'magnitude' or 'dxdy', got ${describe(output)}`);
  const name = 'gradient';
  return {
    name,
    spec: { name, options: { output } },
    apply: (x: tf.Tensor): tf.Tensor => {
      assertImages(x, name, [1, 3], 'grey or RGB');
      return tf.tidy(() => {
        const y = replicatePad(greyLevel(x as tf.Tensor4D)); // [B, H+2, W+2, 1]
        const d = tf.conv2d(y, tf.tensor4d(SOBEL, [3, 3, 1, 2]), 1, 'valid'); // [B, H, W, 2]: dx, dy
        if (output === 'dxdy') return d;
        return tf.sqrt(tf.sum(tf.square(d), 3, true)); // [B, H, W, 1]
      });
    },
  };
}
