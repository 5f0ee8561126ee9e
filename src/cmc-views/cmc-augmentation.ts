/**
 * The CMC reference's augmentation (HobbitLong/CMC, train_CMC.py): random resized crop with area
 * scale [0.2, 1] (ratio [3/4, 4/3], torchvision's default) and a horizontal flip (p 0.5), and
 * nothing on colour: colour is what the L / ab views split, so jitter would change what the views
 * share. Applied once to a batch before it is split into views. `[B, H, W, C]` -> `[B, size, C]`.
 */
import type { Augmentation } from '../augment/augmentation.js';
import { toSize } from '../augment/augmentation.js';
import { compose } from '../augment/compose.js';
import { randomResizedCrop } from '../augment/random-resized-crop.js';
import { horizontalFlip } from '../augment/horizontal-flip.js';

export interface CmcAugmentationOptions {
  /** Range of the crop's area as a fraction of the image. @default [0.2, 1] (HobbitLong/CMC, train_CMC.py) */
  scale?: [number, number];
  /** Mirror left-right with p 0.5. @default true (HobbitLong/CMC) */
  horizontalFlip?: boolean;
}

/** Crop and flip, as the CMC reference. */
export function cmcAugmentation(size: number | [number, number], options: CmcAugmentationOptions = {}): Augmentation {
  const out = toSize(size, 'cmcAugmentation');
  const { scale = [0.2, 1], horizontalFlip: flip = true } = options;
  return compose([randomResizedCrop({ size: out, scale, ratio: [3 / 4, 4 / 3] }), ...(flip ? [horizontalFlip({ probability: 0.5 })] : [])]);
}
