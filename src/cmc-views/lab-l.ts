/**
 * The L view of CMC (Tian et al. 2019, arXiv:1906.05849, Sec. 4.1): the lightness channel of CIE
 * Lab, normalised as the CMC reference does (HobbitLong/CMC, train_CMC.py: mean 50, std 50, so
 * L in [0, 100] maps to [-1, 1]). RGB `[B, H, W, 3]` in [0, 1] -> `[B, H, W, 1]`.
 */
import * as tf from '../tf.js';
import { LAB_INPUT_WHY, normalizedLab } from './lab-values.js';
import type { View } from './view.js';
import { assertImages } from './image-input.js';

/** The lightness view. Grey images are rejected: the L / ab split needs colour (a ShapeError names the view). */
export function labL(): View {
  const name = 'lab-l';
  return {
    name,
    spec: { name },
    apply: (x: tf.Tensor): tf.Tensor => {
      assertImages(x, name, [3], LAB_INPUT_WHY);
      return normalizedLab(x as tf.Tensor4D, 0, 1);
    },
  };
}
