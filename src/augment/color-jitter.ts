import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ShapeError } from '../errors.js';
import { assertInRange, assertNonNegative } from '../validate.js';
import { type Augmentation, LUMA_WEIGHTS, assertImageBatch, assertOptionKeys, assertProbability, takeRows } from './augmentation.js';
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
 * applies its own op through one per-sample linear map `a x + c mean(grey) + s grey` (a batched
 * matrix product) and the hue shift runs on the samples whose slot it is.
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
    // The hue op runs on the samples whose slot it is. Samples are reordered once so that those of
    // each slot are contiguous (sliced, not gathered, per slot), and put back at the end.
    const hueSlot = order.map((o) => (colour && hue > 0 && o.length > 0 ? o.indexOf(HUE) : 4));
    const perm = Array.from({ length: batch }, (_, b) => b).sort((p, q) => hueSlot[p]! - hueSlot[q]! || p - q);
    const permuted = perm.some((b, i) => b !== i);
    return tf.tidy(() => {
      let y = (permuted ? takeRows(x, perm) : x) as tf.Tensor4D; // [B, H, W, C], rows in `perm` order
      for (let slot = 0; slot < 4; slot++) {
        const a = new Float32Array(batch).fill(1); // weight of x
        const cMean = new Float32Array(batch); // weight of the mean grey level (contrast)
        const cGrey = new Float32Array(batch); // weight of the grey image (saturation)
        const hueRows: number[] = [];
        const hueShift: number[] = [];
        perm.forEach((b, row) => {
          const op = order[b]![slot];
          if (op === undefined) return;
          const f = factors[b]![op]!;
          if (op === BRIGHTNESS) a[row] = f;
          else if (op === CONTRAST) [a[row], cMean[row]] = [f, 1 - f];
          else if (colour && op === SATURATION) [a[row], cGrey[row]] = [f, 1 - f];
          else if (colour && hue > 0 && op === HUE) {
            hueRows.push(row);
            hueShift.push(f);
          }
        });
        if (a.some((v) => v !== 1)) y = blend(y, a, cMean, cGrey);
        if (hueRows.length > 0) y = shiftRows(y, hueRows[0]!, hueShift);
      }
      if (y === x) return tf.clone(x);
      if (!permuted) return y;
      const inverse = new Array<number>(batch);
      perm.forEach((b, row) => (inverse[b] = row));
      return takeRows(y, inverse); // back to the input's order
    });
  };
}

/**
 * Per sample b: clamp(a x + cMean mean(grey(x)) + cGrey grey(x), 0, 1), as one batched
 * [HW, C] x [C, C] product per sample plus a per-sample offset.
 */
function blend(x: tf.Tensor4D, a: Float32Array, cMean: Float32Array, cGrey: Float32Array): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const luma = channels === 3 ? LUMA_WEIGHTS : [1];
  // M_b = a_b I + cGrey_b w 1^T: column j of x M_b is a_b x_j + cGrey_b grey(x).
  const m = new Float32Array(batch * channels * channels);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < channels; i++) {
      for (let j = 0; j < channels; j++) m[(b * channels + i) * channels + j] = (i === j ? a[b]! : 0) + cGrey[b]! * luma[i]!;
    }
  }
  const pixels = tf.reshape(x, [batch, height * width, channels]); // [B, HW, C]
  let y = tf.matMul(pixels, tf.tensor3d(m, [batch, channels, channels])); // [B, HW, C]
  if (cMean.some((v) => v !== 0)) {
    const grey = tf.reshape(tf.matMul(tf.reshape(x, [-1, channels]), tf.tensor2d([...luma], [channels, 1])), [batch, height * width]); // [B, HW]
    const offset = tf.mul(tf.mean(grey, 1), tf.tensor1d(cMean)); // [B]: cMean_b mean(grey_b)
    y = tf.add(y, tf.reshape(offset, [batch, 1, 1]));
  }
  return tf.reshape(tf.clipByValue(y, 0, 1), x.shape) as tf.Tensor4D;
}

/** Shifts the hue of the consecutive rows start .. start + shift.length - 1 of x; the other rows are kept. */
function shiftRows(x: tf.Tensor4D, start: number, shift: number[]): tf.Tensor4D {
  const batch = x.shape[0];
  const count = shift.length;
  if (count === batch) return shiftHue(x, shift);
  const parts: tf.Tensor4D[] = [];
  if (start > 0) parts.push(tf.slice(x, [0, 0, 0, 0], [start, -1, -1, -1]));
  parts.push(shiftHue(tf.slice(x, [start, 0, 0, 0], [count, -1, -1, -1]), shift));
  if (start + count < batch) parts.push(tf.slice(x, [start + count, 0, 0, 0], [-1, -1, -1, -1]));
  return tf.concat(parts, 0);
}
