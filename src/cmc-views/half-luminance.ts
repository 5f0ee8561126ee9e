/**
 * A luminance-at-half-resolution view: the grey level (BT.601 luma of RGB, or the single channel
 * of a grey image) averaged over 2x2 blocks, scaled like the L view ([0, 1] -> [-1, 1]).
 * `[B, H, W, 1 | 3]` -> `[B, floor(H/2), floor(W/2), 1]`. A coarse view: it shares the global
 * layout with the others, not the fine texture.
 */
import * as tf from '../tf.js';
import { ShapeError } from '../errors.js';
import { formatShape } from '../validate.js';
import type { View } from './view.js';
import { assertImages, greyLevel } from './image-input.js';

/** The half-resolution luminance view. */
export function halfLuminance(): View {
  const name = 'half-luminance';
  return {
    name,
    spec: { name },
    apply: (x: tf.Tensor): tf.Tensor => {
      const [, h, w] = assertImages(x, name, [1, 3], 'grey or RGB');
      if (h < 2 || w < 2)
        throw new ShapeError(`view '${name}'`, 'x', `must be at least 2x2 pixels to halve, got shape ${formatShape(x.shape)}`);
      return tf.tidy(() => {
        const y = greyLevel(x as tf.Tensor4D); // [B, H, W, 1]
        const half = tf.avgPool(y, 2, 2, 'valid'); // [B, H/2, W/2, 1]
        return tf.sub(tf.mul(half, 2), 1);
      });
    },
  };
}
