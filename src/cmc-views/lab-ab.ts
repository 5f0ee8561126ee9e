/**
 * The ab view of CMC (Tian et al. 2019, arXiv:1906.05849, Sec. 4.1): the two colour channels of
 * CIE Lab, normalised as the CMC reference does (HobbitLong/CMC, train_CMC.py: each channel's sRGB
 * range, a in [-86.183, 98.233] and b in [-107.857, 94.478], maps to [-1, 1]; `CMC_LAB_MEAN`,
 * `CMC_LAB_STD`). RGB `[B, H, W, 3]` in [0, 1] -> `[B, H, W, 2]`.
 */
import * as tf from '../tf.js';
import { LAB_INPUT_WHY, normalizedLab } from './lab-values.js';
import type { View } from './view.js';
import { assertImages } from './image-input.js';

/** The colour view. Grey images are rejected (their a and b are 0 everywhere; a ShapeError names the view). */
export function labAb(): View {
  const name = 'lab-ab';
  return {
    name,
    spec: { name },
    apply: (x: tf.Tensor): tf.Tensor => {
      assertImages(x, name, [3], LAB_INPUT_WHY);
      return normalizedLab(x as tf.Tensor4D, 1, 2);
    },
  };
}
