import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ConfigError } from '../errors.js';
import { type Augmentation, assertImageBatch, assertInterval, assertOptionKeys, toSize } from './augmentation.js';

export interface RandomResizedCropOptions {
  /** Output [height, width] (a number means square). @default 32 (CIFAR-10's side) */
  size?: number | [number, number];
  /** Range of the crop's area as a fraction of the image's area. @default [0.08, 1] (Inception, Szegedy et al. 2015; torchvision; SimCLR) */
  scale?: [number, number];
  /** Range of the crop's aspect ratio width / height, sampled log-uniformly. @default [3/4, 4/3] (torchvision; SimCLR) */
  ratio?: [number, number];
}

/** One crop in pixels: rows `top .. top + height - 1`, columns `left .. left + width - 1`. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Draws one crop per sample as torchvision's `RandomResizedCrop` does: up to 10 tries of an area
 * uniform in `scale` and a log-uniform aspect ratio in `ratio`, kept when it fits the image; after
 * 10 misses, the largest centred crop whose ratio is clamped into `ratio`.
 */
export function sampleCropBoxes(
  rng: Rng,
  batch: number,
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): CropBox[] {
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  const boxes: CropBox[] = [];
  for (let b = 0; b < batch; b++) {
    let box: CropBox | undefined;
    for (let attempt = 0; attempt < 10 && box === undefined; attempt++) {
      const target = area * rng.uniform(scale[0], scale[1]);
      const aspect = Math.exp(rng.uniform(logLo, logHi));
      const w = Math.round(Math.sqrt(target * aspect));
      const h = Math.round(Math.sqrt(target / aspect));
      if (w > 0 && h > 0 && w <= width && h <= height) {
        box = { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
      }
    }
    if (box === undefined) {
      const inRatio = width / height;
      let w = width;
      let h = height;
      if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
      else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
      box = { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
    }
    boxes.push(box);
  }
  return boxes;
}

/**
 * Random resized crop: each sample is cropped to its own random box and resized (bilinear) to
 * `size`, in one `tf.image.cropAndResize`. [B, H, W, C] -> [B, size[0], size[1], C].
 * The crop's corner pixels map to the output's corner pixels, so a full-image crop at the same
 * size returns the image (to 1e-3 of a pixel step on the last row and column, see `cropBoxes`).
 *
 * @example randomResizedCrop({ size: [32, 32], scale: [0.08, 1], ratio: [3 / 4, 4 / 3] })
 */
export function randomResizedCrop(options: RandomResizedCropOptions = {}): Augmentation {
  const fn = 'randomResizedCrop';
  assertOptionKeys(options, ['size', 'scale', 'ratio'], fn);
  const { size = 32, scale = [0.08, 1], ratio = [3 / 4, 4 / 3] } = options;
  const [outH, outW] = toSize(size, fn);
  assertInterval(scale, fn, 'scale', 0, 1);
  if (scale[1] <= 0) throw new ConfigError(fn, 'scale', `must allow a crop of area > 0, got [${scale[0]}, ${scale[1]}]`);
  assertInterval(ratio, fn, 'ratio', Number.MIN_VALUE, Infinity);
  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, height, width] = assertImageBatch(x, fn);
    const boxes = sampleCropBoxes(rng, batch, height, width, scale, ratio);
    return cropBoxes(x as tf.Tensor4D, boxes, [outH, outW]);
  };
}

/**
 * Pull-in, in pixels, of a box edge that lies on the image's last row or column. `cropAndResize`
 * writes 0 for a sampling point past the last pixel, and the last point of such a box can
 * overshoot it by a rounding error; 1e-3 pixel moves a value by at most 1e-3 of the step to
 * its neighbour.
 */
const EDGE_PULL_IN = 1e-3;

/**
 * Crops box i out of sample i and resizes it (bilinear) to `size`, in one `tf.image.cropAndResize`:
 * [B, H, W, C] -> [B, size[0], size[1], C]. A box's corner pixels land on the output's corner pixels.
 */
export function cropBoxes(x: tf.Tensor4D, boxes: readonly CropBox[], size: [number, number]): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const dy = Math.max(height - 1, 1);
  const dx = Math.max(width - 1, 1);
  const end = (first: number, extent: number, side: number): number => {
    const last = first + extent - 1;
    return last === side - 1 && extent > 1 ? last - EDGE_PULL_IN : last;
  };
  const coords = new Float32Array(batch * 4); // [B, 4]: y1, x1, y2, x2 in [0, 1]
  boxes.forEach((b, i) => {
    coords.set([b.top / dy, b.left / dx, end(b.top, b.height, height) / dy, end(b.left, b.width, width) / dx], i * 4);
  });
  return tf.tidy(() => {
    const index = tf.range(0, batch, 1, 'int32') as tf.Tensor1D; // [B]: box i crops sample i
    return tf.image.cropAndResize(x, tf.tensor2d(coords, [batch, 4]), index, size, 'bilinear'); // [B, size, C]
  });
}
