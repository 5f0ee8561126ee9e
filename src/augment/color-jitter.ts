import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ShapeError } from '../errors.js';
import { assertInRange, assertNonNegative } from '../validate.js';
import { type Augmentation, assertImageBatch, assertOptionKeys, assertProbability, luminance, perSample } from './augmentation.js';
import { shiftHue } from './hue.js';

export interface ColorJitterOptions {
  /** Chance that a sample is jittered at all. @default 0.8 (SimCLR, arXiv:2002.05709, Appendix A) */
  probability?: number;
  /** Brightness factor drawn uniformly in [max(0, 1 - b), 1 + b]. @default 0.4 (SimCLR: 0.8 s with colour strength s = 0.5, the CIFAR setting) */
  brightness?: number;
  /** Contrast factor drawn uniformly in [max(0, 1 - c), 1 + c]. @default 0.4 (SimCLR: 0.8 s, s = 0.5) */
  contrast?: number;
  /** Saturation factor drawn uniformly in [max(0, 1 - s), 1 + s]. @default 0.4 (SimCLR: 0.8 s, s = 0.5) */
  saturation?: number;
  /** Hue shift drawn uniformly in [-h, h] turns, h <= 0.5. @default 0.1 (SimCLR: 0.2 s, s = 0.5) */
  hue?: number;
}

const BRIGHTNESS = 0;
const CONTRAST = 1;
const SATURATION = 2;
const HUE = 3;

/**
 * Colour jitter as torchvision's `ColorJitter` inside `RandomApply(p)`: with `probability`, a
 * sample gets brightness, contrast, saturation and hue changes in its own random order, each
 * result clamped to [0, 1]:
 * - brightness: f x;  contrast: f x + (1 - f) mean(grey(x));  saturation: f x + (1 - f) grey(x);
 * - hue: rotate the hue by h turns in HSV.
 *
 * [B, H, W, C] -> [B, H, W, C]. C = 3: all four. C = 1 (grey): brightness and contrast only
 * (saturation and hue need colour; they are skipped). Other C: ShapeError.
 * Batched: the four slots of the order run one after the other; in each slot every sample
 * applies its own op through one blend `a x + c mean(grey) + s grey` and the hue shift runs on
 * the samples whose slot it is.
 */
export function colorJitter(options: ColorJitterOptions = {}): Augmentation {
  const fn = 'colorJitter';
  assertOptionKeys(options, ['probability', 'brightness', 'contrast', 'saturation', 'hue'], fn);
  const { probability = 0.8, brightness = 0.4, contrast = 0.4, saturation = 0.4, hue = 0.1 } = options;
  assertProbability(probability, fn, 'probability');
  assertNonNegative(brightness, fn, 'brightness');
  assertNonNegative(contrast, fn, 'contrast');
  assertNonNegative(saturation, fn, 'saturation');
  assertInRange(hue, 0, 0.5, fn, 'hue');
  const factor = (rng: Rng, s: number): number => rng.uniform(Math.max(0, 1 - s), 1 + s);

  return (x: tf.Tensor, rng: Rng): tf.Tensor => {
    const [batch, , , channels] = assertImageBatch(x, fn);
    if (channels !== 1 && channels !== 3) {
      throw new ShapeError(fn, 'x', `must have 1 (grey) or 3 (RGB) channels, got ${channels} in shape [${x.shape.join(', ')}]`);
    }
    const colour = channels === 3;
    // Per sample: applied or not, the order of the four ops, and their factors (always drawn, so the
    // random stream does not depend on the image).
    const order: number[][] = [];
    const factors: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const applied = rng.bernoulli(probability);
      const perm = rng.shuffle([BRIGHTNESS, CONTRAST, SATURATION, HUE]);
      const f = [factor(rng, brightness), factor(rng, contrast), factor(rng, saturation), rng.uniform(-hue, hue)];
      order.push(applied ? perm : []);
      factors.push(f);
    }
    return tf.tidy(() => {
      let y = x as tf.Tensor4D;
      for (let slot = 0; slot < 4; slot++) {
        const a = new Float32Array(batch).fill(1); // weight of x
        const cMean = new Float32Array(batch); // weight of the mean grey level (contrast)
        const cGrey = new Float32Array(batch); // weight of the grey image (saturation)
        const hueIdx: number[] = [];
        const hueShift: number[] = [];
        for (let b = 0; b < batch; b++) {
          const op = order[b]![slot];
          const f = factors[b]![op ?? 0]!;
          if (op === BRIGHTNESS) a[b] = f;
          else if (op === CONTRAST) [a[b], cMean[b]] = [f, 1 - f];
          else if (colour && op === SATURATION) [a[b], cGrey[b]] = [f, 1 - f];
          else if (colour && op === HUE && f !== 0) {
            hueIdx.push(b);
            hueShift.push(f);
          }
        }
        if (a.some((v) => v !== 1)) y = blend(y, a, cMean, cGrey, colour);
        if (hueIdx.length > 0) y = shiftSome(y, hueIdx, hueShift, batch);
      }
      return y === x ? tf.clone(x) : y;
    });
  };
}

/** clamp(a x + cMean mean(grey(x)) + cGrey grey(x), 0, 1) with per-sample weights. */
function blend(x: tf.Tensor4D, a: Float32Array, cMean: Float32Array, cGrey: Float32Array, colour: boolean): tf.Tensor4D {
  const grey = colour ? luminance(x) : x; // [B, H, W, 1]
  let y = tf.mul(x, perSample(a, 4)); // [B, H, W, C]
  if (cMean.some((v) => v !== 0)) y = tf.add(y, tf.mul(tf.mean(grey, [1, 2, 3], true), perSample(cMean, 4)));
  if (cGrey.some((v) => v !== 0)) y = tf.add(y, tf.mul(grey, perSample(cGrey, 4)));
  return tf.clipByValue(y, 0, 1) as tf.Tensor4D;
}

/** Shifts the hue of the samples `idx` (by `shift`), leaving the others as they are. */
function shiftSome(x: tf.Tensor4D, idx: number[], shift: number[], batch: number): tf.Tensor4D {
  if (idx.length === batch) return shiftHue(x, perSample(shift, 4));
  const chosen = new Set(idx);
  const rest: number[] = [];
  for (let b = 0; b < batch; b++) if (!chosen.has(b)) rest.push(b);
  const shifted = shiftHue(tf.gather(x, idx) as tf.Tensor4D, perSample(shift, 4)); // [K, H, W, 3]
  const others = tf.gather(x, rest); // [B - K, H, W, 3]
  // Row b of the result is row inverse[b] of [shifted; others].
  const inverse = new Int32Array(batch);
  [...idx, ...rest].forEach((b, i) => (inverse[b] = i));
  return tf.gather(tf.concat([shifted, others], 0), tf.tensor1d(inverse, 'int32')) as tf.Tensor4D;
}
