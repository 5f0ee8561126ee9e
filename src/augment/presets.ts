/**
 * Augmentation pipelines with the parameters of the papers they come from. Each returns one
 * {@link Augmentation}; pass it to `views(preset, 2)` for the two views of SimCLR-style methods.
 */
import { ConfigError } from '../errors.js';
import { describe } from '../validate.js';
import { type Augmentation, toSize } from './augmentation.js';
import { compose } from './compose.js';
import { randomResizedCrop } from './random-resized-crop.js';
import { horizontalFlip } from './horizontal-flip.js';
import { colorJitter } from './color-jitter.js';
import { randomGrayscale } from './random-grayscale.js';
import { gaussianBlur } from './gaussian-blur.js';
import { randomErasing } from './random-erasing.js';
import { randomWindow } from './random-window.js';
import { scaling } from './scaling.js';
import { jitter } from './jitter.js';
import { timeMasking } from './time-masking.js';

/**
 * SimCLR's ImageNet augmentation (Chen et al. 2020, arXiv:2002.05709, Appendix A): random resized
 * crop (scale [0.08, 1], ratio [3/4, 4/3]) to `size`, horizontal flip (p 0.5), colour jitter with
 * strength s = 1 (brightness, contrast, saturation 0.8 s, hue 0.2 s) applied with p 0.8, random
 * grey (p 0.2), Gaussian blur (p 0.5, kernel 10% of the side, sigma in [0.1, 2]).
 * Input [B, H, W, 3] in [0, 1]; output [B, size, size, 3].
 */
export function simclrImageNet(size: number | [number, number] = 224): Augmentation {
  const out = toSize(size, 'simclrImageNet');
  return compose([
    randomResizedCrop({ size: out, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }),
    horizontalFlip({ probability: 0.5 }),
    colorJitter({ probability: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 }),
    randomGrayscale({ probability: 0.2 }),
    gaussianBlur({ probability: 0.5, sigma: [0.1, 2], kernelSize: Math.round(0.1 * Math.min(...out)) }),
  ]);
}

/**
 * SimCLR's CIFAR-10 augmentation (Chen et al. 2020, Appendix B.9): as ImageNet but without blur
 * and with colour strength s = 0.5 (brightness, contrast, saturation 0.4, hue 0.1, p 0.8),
 * random grey p 0.2, crop scale [0.08, 1]. Input [B, H, W, 3]; output [B, size, size, 3].
 */
export function simclrCifar(size: number | [number, number] = 32): Augmentation {
  const out = toSize(size, 'simclrCifar');
  return compose([
    randomResizedCrop({ size: out, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }),
    horizontalFlip({ probability: 0.5 }),
    colorJitter({ probability: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
    randomGrayscale({ probability: 0.2 }),
  ]);
}

export interface SmallGreyOptions {
  /**
   * Mirror left-right with p 0.5. Right for Fashion-MNIST (no class depends on which way an item
   * faces); turn it off for digits and letters, where a mirrored sample means something else.
   * @default true
   */
  horizontalFlip?: boolean;
  /**
   * Area range of the random resized crop, as a share of the image. @default [0.3, 1] (see
   * below); the browser page's 8x8 digits use a larger lower bound (web/page-method.ts).
   */
  cropScale?: [number, number];
}

/**
 * For small grey images such as 28x28 Fashion-MNIST or MNIST ([B, 28, 28, 1] in [0, 1]); this
 * library's choice, made so that a view keeps the meaning of its item:
 * - no colour ops: a grey image has no hue or saturation, and its brightness carries the
 *   garment's shading;
 * - random resized crop with scale [0.3, 1], ratio [3/4, 4/3]: SimCLR's lower bound 0.08 on a
 *   28x28 image is an 8x8 patch, mostly texture that shirts, pullovers and coats share (a false
 *   positive for every class); 0.3 keeps at least about 15x15 pixels, enough for a collar, a
 *   sleeve or a heel, while still forcing part-to-whole matching;
 * - horizontal flip (p 0.5, see `horizontalFlip`);
 * - random erasing (p 0.25, area [0.02, 0.1]): a small occlusion of at most about 9x9 pixels, so
 *   the item stays recognisable (Zhong et al.'s default area up to 0.33 can hide a whole sleeve).
 * Output [B, size, size, 1].
 */
export function smallGrey(size: number | [number, number] = 28, options: SmallGreyOptions = {}): Augmentation {
  const out = toSize(size, 'smallGrey');
  const { horizontalFlip: flip = true, cropScale = [0.3, 1] } = options;
  if (typeof flip !== 'boolean') throw new ConfigError('smallGrey', 'horizontalFlip', `must be a boolean, got ${describe(flip)}`);
  return compose([
    randomResizedCrop({ size: out, scale: cropScale, ratio: [3 / 4, 4 / 3] }),
    ...(flip ? [horizontalFlip({ probability: 0.5 })] : []),
    randomErasing({ probability: 0.25, scale: [0.02, 0.1], ratio: [0.3, 3.3], value: 0 }),
  ]);
}

/**
 * For z-normalised series [B, T, C], after Iwana & Uchida 2021 (arXiv:2007.15951), the
 * magnitude and time-domain augmentations that keep a series' class: window slicing (a random
 * 90% window resampled back to T, Le Guennec et al. 2016), scaling (factor ~ N(1, 0.1²) per
 * channel), jitter (noise N(0, 0.03²)), then a time mask of up to 10% of T with p 0.5
 * (SpecAugment). Output [B, T, C].
 */
export function sequence(): Augmentation {
  return compose([
    randomWindow({ fraction: 0.9, outputLength: 'input' }),
    scaling({ probability: 1, std: 0.1 }),
    jitter({ probability: 1, std: 0.03 }),
    timeMasking({ probability: 0.5, count: 1, maxFraction: 0.1, value: 0 }),
  ]);
}
