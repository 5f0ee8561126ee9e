import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { assertFinite } from '../validate.js';
import { type Augmentation, assertImageBatch, assertInterval, assertOptionKeys, assertProbability } from './augmentation.js';

export interface RandomErasingOptions {
  /** Chance that a sample gets an erased rectangle. @default 0.5 (Zhong et al. 2017, arXiv:1708.04896; torchvision) */
  probability?: number;
  /** Range of the rectangle's area as a fraction of the image. @default [0.02, 0.33] (Zhong et al.; torchvision) */
  scale?: [number, number];
  /** Range of its aspect ratio height / width, drawn log-uniformly. @default [0.3, 3.3] (Zhong et al.; torchvision) */
  ratio?: [number, number];
  /** Value written in the rectangle, in every channel. @default 0 (torchvision) */
  value?: number;
}

/**
 * Random erasing (cutout with a random rectangle): with `probability`, one rectangle per sample
 * is set to `value`. As torchvision: up to 10 tries of an area in `scale` and a ratio in `ratio`
 * that fits strictly inside the image; after 10 misses the sample is left as it is.
 * [B, H, W, C] -> [B, H, W, C]. The rectangles are drawn in JS into one [B, H, W, 1] mask,
 * applied with one or two element-wise ops.
 */
export function randomErasing(options: RandomErasingOptions = {}): Augmentation {
  const fn = 'randomErasing';
  assertOptionKeys(options, ['probability', 'scale', 'ratio', 'value'], fn);
  const { probability = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0 } = options;
  assertProbability(probability, fn, 'probability');
  assertInterval(scale, fn, 'scale', 0, 1);
  assertInterval(ratio, fn, 'ratio', Number.MIN_VALUE, Infinity);
  assertFinite(value, fn, 'value');
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, height, width] = assertImageBatch(x, fn);
    const keep = new Float32Array(batch * height * width).fill(1); // [B, H, W, 1]: 0 inside the rectangle
    let any = false;
    for (let b = 0; b < batch; b++) {
      if (!rng.bernoulli(probability)) continue;
      for (let attempt = 0; attempt < 10; attempt++) {
        const area = height * width * rng.uniform(scale[0], scale[1]);
        const aspect = Math.exp(rng.uniform(Math.log(ratio[0]), Math.log(ratio[1])));
        const h = Math.round(Math.sqrt(area * aspect));
        const w = Math.round(Math.sqrt(area / aspect));
        if (!(h > 0 && w > 0 && h < height && w < width)) continue;
        const top = rng.int(height - h + 1);
        const left = rng.int(width - w + 1);
        for (let i = top; i < top + h; i++) keep.fill(0, (b * height + i) * width + left, (b * height + i) * width + left + w);
        any = true;
        break;
      }
    }
    return tf.tidy(() => {
      if (!any) return tf.clone(x);
      const k = tf.tensor4d(keep, [batch, height, width, 1]);
      const kept = tf.mul(x, k); // exact: x * 1 or x * 0
      return value === 0 ? kept : tf.add(kept, tf.mul(tf.sub(1, k), value)); // value inside the rectangle
    });
  };
}
