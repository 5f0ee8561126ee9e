/**
 * RGB <-> CIE L*a*b* (D65 white, 2° observer), for the L / ab views of CMC (Tian et al. 2019,
 * arXiv:1906.05849). sRGB companding, the sRGB -> XYZ matrix and the D65 white point are those of
 * IEC 61966-2-1 and CIE 15 as used by scikit-image's `rgb2lab`, which the CMC reference calls:
 * L in [0, 100], a in about [-86.2, 98.2], b in about [-107.9, 94.5] for sRGB inputs.
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { ShapeError } from '../errors.js';
import { type Augmentation, assertImageBatch, assertOptionKeys } from './augmentation.js';

/** sRGB (linear) -> XYZ, rows X, Y, Z (IEC 61966-2-1, as scikit-image). */
const XYZ_FROM_RGB = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
];

/** D65 reference white, 2° observer (CIE 15; scikit-image `'D65', '2'`). */
export const D65_WHITE: readonly [number, number, number] = [0.95047, 1, 1.08883];

/**
 * The per-channel mean and std the CMC reference normalises Lab with
 * (HobbitLong/CMC, train_CMC.py: `transforms.Normalize(mean=[(0 + 100) / 2, (-86.183 + 98.233) / 2,
 * (-107.857 + 94.478) / 2], std=[(100 - 0) / 2, (86.183 + 98.233) / 2, (107.857 + 94.478) / 2])`):
 * each channel's range [min, max] maps to [-1, 1]. L: mean 50, std 50.
 */
export const CMC_LAB_MEAN: readonly [number, number, number] = [50, (-86.183 + 98.233) / 2, (-107.857 + 94.478) / 2];
export const CMC_LAB_STD: readonly [number, number, number] = [50, (86.183 + 98.233) / 2, (107.857 + 94.478) / 2];

const EPSILON = (6 / 29) ** 3; // 0.008856: below it f(t) is linear
const SLOPE = 1 / (3 * (6 / 29) ** 2); // 7.787

function assertRgb(x: tf.Tensor, fn: string): [number, number, number, number] {
  const shape = assertImageBatch(x, fn);
  if (shape[3] !== 3) throw new ShapeError(fn, 'x', `must have 3 channels (RGB or Lab), got ${shape[3]} in shape [${shape.join(', ')}]`);
  return shape;
}

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/** x [B, H, W, 3] times the transpose of `m` over the channel axis. */
function mixChannels(x: tf.Tensor, m: number[][]): tf.Tensor {
  const [batch, height, width] = x.shape as [number, number, number, number];
  const mt = tf.tensor2d(
    [0, 1, 2].flatMap((j) => [m[0]![j]!, m[1]![j]!, m[2]![j]!]),
    [3, 3],
  ); // [3, 3]: m transposed
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), mt), [batch, height, width, 3]);
}

/** sRGB in [0, 1], [B, H, W, 3] -> CIE Lab, [B, H, W, 3] (L in [0, 100]). Inputs are clamped to [0, 1]. */
export function rgbToLab(x: tf.Tensor4D): tf.Tensor4D {
  assertRgb(x, 'rgbToLab');
  return tf.tidy(() => {
    const c = tf.clipByValue(x, 0, 1);
    const linear = tf.where(tf.lessEqual(c, 0.04045), tf.div(c, 12.92), tf.pow(tf.div(tf.add(c, 0.055), 1.055), 2.4));
    const xyz = tf.div(mixChannels(linear, XYZ_FROM_RGB), tf.tensor1d([...D65_WHITE])); // [B, H, W, 3], white -> 1
    const f = tf.where(tf.greater(xyz, EPSILON), tf.pow(tf.maximum(xyz, EPSILON), 1 / 3), tf.add(tf.mul(xyz, SLOPE), 16 / 116));
    // L = 116 fy - 16, a = 500 (fx - fy), b = 200 (fy - fz)
    const lab = mixChannels(f, [
      [0, 116, 0],
      [500, -500, 0],
      [0, 200, -200],
    ]);
    return tf.sub(lab, tf.tensor1d([16, 0, 0])) as tf.Tensor4D;
  });
}

/** CIE Lab [B, H, W, 3] -> sRGB in [0, 1] (out-of-gamut colours are clamped). Inverse of {@link rgbToLab}. */
export function labToRgb(lab: tf.Tensor4D): tf.Tensor4D {
  assertRgb(lab, 'labToRgb');
  return tf.tidy(() => {
    // fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200
    const f = tf.add(
      mixChannels(lab, [
        [1 / 116, 1 / 500, 0],
        [1 / 116, 0, 0],
        [1 / 116, 0, -1 / 200],
      ]),
      16 / 116,
    );
    const t = tf.where(tf.greater(f, 6 / 29), tf.pow(f, 3), tf.div(tf.sub(f, 16 / 116), SLOPE));
    const xyz = tf.mul(t, tf.tensor1d([...D65_WHITE]));
    const linear = tf.maximum(mixChannels(xyz, invert3(XYZ_FROM_RGB)), 0);
    const srgb = tf.where(tf.lessEqual(linear, 0.0031308), tf.mul(linear, 12.92), tf.sub(tf.mul(tf.pow(linear, 1 / 2.4), 1.055), 0.055));
    return tf.clipByValue(srgb, 0, 1) as tf.Tensor4D;
  });
}

/** Lab -> (Lab - CMC_LAB_MEAN) / CMC_LAB_STD: each channel's sRGB range to about [-1, 1], as the CMC reference. */
export function labNormalize(lab: tf.Tensor4D): tf.Tensor4D {
  assertRgb(lab, 'labNormalize');
  return tf.tidy(() => tf.div(tf.sub(lab, tf.tensor1d([...CMC_LAB_MEAN])), tf.tensor1d([...CMC_LAB_STD])) as tf.Tensor4D);
}

/** Inverse of {@link labNormalize}. */
export function labDenormalize(normalized: tf.Tensor4D): tf.Tensor4D {
  assertRgb(normalized, 'labDenormalize');
  return tf.tidy(() => tf.add(tf.mul(normalized, tf.tensor1d([...CMC_LAB_STD])), tf.tensor1d([...CMC_LAB_MEAN])) as tf.Tensor4D);
}

export interface ToLabOptions {
  /** Apply {@link labNormalize} after the conversion. @default true (the CMC reference normalises) */
  normalize?: boolean;
}

/**
 * RGB -> Lab as the last step of a `compose([...])` pipeline (deterministic: `rng` is unused).
 * [B, H, W, 3] in [0, 1] -> [B, H, W, 3] Lab (normalised by default: values no longer in [0, 1]).
 */
export function toLab(options: ToLabOptions = {}): Augmentation {
  assertOptionKeys(options, ['normalize'], 'toLab');
  const { normalize = true } = options;
  return (x: tf.Tensor, _rng: Rng): tf.Tensor => {
    assertRgb(x, 'toLab');
    if (!normalize) return rgbToLab(x as tf.Tensor4D);
    return tf.tidy(() => labNormalize(rgbToLab(x as tf.Tensor4D)));
  };
}
