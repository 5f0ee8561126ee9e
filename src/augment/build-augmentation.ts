/**
 * The augmentation a run's recipe names (stored in its config.json), rebuilt the same way by
 * pretrain, eval and the report.
 */
import type { Augmentation } from './augmentation.js';
import { smallGrey, simclrCifar, simclrImageNet, sequence } from './presets.js';
import { compose } from './compose.js';
import { colorJitter } from './color-jitter.js';
import { vectorCorruption } from './vector-corruption.js';
import { cmcAugmentation } from '../cmc-views/cmc-augmentation.js';
import { ConfigError } from '../errors.js';

/** The augmentation preset names a recipe may hold. */
export const AUGMENTATION_PRESETS = [
  'small-grey',
  'small-grey-jitter',
  'simclr-cifar',
  'simclr-imagenet',
  'cmc',
  'vector-corruption',
  'sequence',
] as const;

/** The fields of a run's recipe that choose its augmentation. */
export interface AugmentationRecipe {
  /** One of AUGMENTATION_PRESETS. */
  augmentation: string;
  /** Sample shape the encoder reads ([H, W, C] for images). */
  inputShape: readonly number[];
  /** Horizontal flips in the grey-image and CMC augmentations. */
  flip: boolean;
}

/** The augmentation named in a recipe. */
export function buildAugmentation(r: AugmentationRecipe): Augmentation {
  const [h, w] = r.inputShape as [number, number];
  switch (r.augmentation) {
    case 'small-grey':
      return smallGrey([h, w], { horizontalFlip: r.flip });
    case 'small-grey-jitter':
      // smallGrey, then brightness and contrast jitter (p 0.8, 0.4 each: SimCLR's CIFAR strength):
      // the grey analogue of colour distortion, so that two crops cannot match by their intensity histogram alone
      return compose([
        smallGrey([h, w], { horizontalFlip: r.flip }),
        colorJitter({ probability: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0, hue: 0 }),
      ]);
    case 'simclr-cifar':
      return simclrCifar([h, w]);
    case 'simclr-imagenet':
      return simclrImageNet([h, w]);
    case 'cmc':
      return cmcAugmentation([h, w], { horizontalFlip: r.flip });
    case 'vector-corruption':
      return vectorCorruption();
    case 'sequence':
      return sequence();
    default:
      throw new ConfigError(
        'buildAugmentation',
        'augmentation',
        `must be one of ${AUGMENTATION_PRESETS.join(', ')}, got '${r.augmentation}'`,
      );
  }
}
