/** Input checks and the grey level shared by the built-in image views. */
import * as tf from '../tf.js';
import { ShapeError } from '../errors.js';
import { describe, formatShape } from '../validate.js';
import { LUMA_WEIGHTS } from '../augment/augmentation.js';

/** `x` must be a float32 image batch `[B, H, W, C]` with C in `channels`; returns the shape. */
export function assertImages(x: tf.Tensor, viewName: string, channels: readonly number[], why: string): [number, number, number, number] {
  const fn = `view '${viewName}'`;
  if (!(x instanceof tf.Tensor)) throw new ShapeError(fn, 'x', `must be an image batch tensor [B, H, W, C], got ${describe(x)}`);
  if (x.rank !== 4) throw new ShapeError(fn, 'x', `must be an image batch [B, H, W, C], got shape ${formatShape(x.shape)}`);
  if (x.dtype !== 'float32') throw new ShapeError(fn, 'x', `must have dtype float32 (values in [0, 1]), got ${x.dtype}`);
  const c = x.shape[3]!;
  if (!channels.includes(c)) {
    throw new ShapeError(
      fn,
      'x',
      `must have ${channels.join(' or ')} channel${channels.length === 1 && channels[0] === 1 ? '' : 's'} (${why}), got ${c} in shape ${formatShape(x.shape)}`,
    );
  }
  return x.shape as [number, number, number, number];
}

/** Grey level `[B, H, W, 1]` in [0, 1]: the channel itself, or BT.601 luma of RGB (torchvision's weights). Call inside tf.tidy. */
export function greyLevel(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  return tf.sum(tf.mul(x, tf.tensor1d([...LUMA_WEIGHTS])), 3, true) as tf.Tensor4D;
}
