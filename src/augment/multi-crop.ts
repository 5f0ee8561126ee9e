import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ConfigError } from '../errors.js';
import { assertInteger, describe } from '../validate.js';
import type { Augmentation } from './augmentation.js';
import { assertImageBatch, assertInterval } from './augmentation.js';
import { randomResizedCrop } from './random-resized-crop.js';
import type { ViewMaker } from './views.js';

export interface MultiCropOptions {
  /** Global views: `augmentation` of the whole image. @default 2 (SwAV, arXiv:2006.09882, §3.2) */
  global?: number;
  /** Small (local) views. @default 4 */
  local?: number;
  /** Area range of a local crop, as a fraction of the image. @default [0.05, 0.14] (SwAV's reference code, main_swav.py `min_scale_crops`/`max_scale_crops`) */
  localScale?: [number, number];
}

/**
 * Multi-crop views (Caron et al. 2020, SwAV, https://arxiv.org/abs/2006.09882, §3.2; as lightly's
 * and solo-learn's multi-crop): `global` views `augmentation(x)` and `local` views of a small
 * random crop, `augmentation(randomResizedCrop(scale: localScale)(x))`. Row j of every view comes
 * from sample j. Images only ([B, H, W, C]).
 *
 * Deviation: SwAV's local crops are also smaller in pixels (96 of 224) to save compute; the
 * encoders here read one fixed input size, so local crops are resized back to the image's size
 * and cost as much as global ones.
 */
export function multiCrop(augmentation: Augmentation, options: MultiCropOptions = {}): ViewMaker {
  const fn = 'multiCrop';
  if (typeof augmentation !== 'function')
    throw new ConfigError(fn, 'augmentation', `must be an augmentation (a function), got ${describe(augmentation)}`);
  const { global = 2, local = 4, localScale = [0.05, 0.14] } = options;
  assertInteger(global, fn, 'global', 1);
  assertInteger(local, fn, 'local', 0);
  if (global + local < 2) throw new ConfigError(fn, 'global', `and local must make at least 2 views, got ${global} + ${local}`);
  assertInterval(localScale, fn, 'localScale', 0, 1);
  return (x: tf.Tensor, rng: Rng): tf.Tensor[] => {
    const [, h, w] = assertImageBatch(x, fn);
    const crop = randomResizedCrop({ size: [h, w], scale: localScale });
    const out: tf.Tensor[] = [];
    try {
      for (let i = 0; i < global; i++) out.push(augmentation(x, rng));
      for (let i = 0; i < local; i++) out.push(tf.tidy(() => augmentation(crop(x, rng), rng)));
    } catch (err) {
      tf.dispose(out);
      throw err;
    }
    return out;
  };
}
