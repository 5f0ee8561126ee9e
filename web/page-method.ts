/**
 * The page's methods and their recipe (no DOM: `bench/web-digits.ts` trains the same in Node).
 * Each method on the page's small conv net (`convNet`, h of 128) and an MLP head to 64; grey
 * images get `smallGrey` (for the digits no flips, a mirrored digit being another symbol, and crops
 * of at least 60% of the area: `PAGE_RECIPE`), colour
 * images `simclrCifar`.
 */
import type * as tf from '../src/tf.js';
import { convNet } from '../src/models/conv-net.js';
import { projectionHead } from '../src/models/projection-head.js';
import { simclrCifar, smallGrey } from '../src/augment/presets.js';
import type { Augmentation } from '../src/augment/augmentation.js';
import { simclr } from '../src/methods/simclr.js';
import { moco } from '../src/methods/moco.js';
import { invaSpread } from '../src/methods/inva-spread.js';
import { npid } from '../src/methods/npid.js';
import { MemoryBank } from '../src/memory/memory-bank.js';
import { buildMethod } from '../src/recipes/recipe.js';
import { cmcRecipe } from '../src/recipes/cmc-recipe.js';
import type { Method } from '../src/methods/method.js';
import { Optimizer } from '../src/optim/optimizers.js';

export type PageMethod = 'simclr' | 'moco' | 'invaspread' | 'npid' | 'cmc';
export const PAGE_METHODS: readonly PageMethod[] = ['simclr', 'moco', 'invaspread', 'npid', 'cmc'];

/**
 * The page's training recipe. Chosen on the bundled digits by `npm run bench -- web-digits`
 * (BENCHMARKS.md, Browser: the recipe study, 300 steps of 128, seeds 0-2): with SimCLR's CIFAR
 * τ 0.5 and smallGrey's crops the neighbour quality ended below the untrained network's on 2 of 3
 * seeds (mean -0.010); τ 0.1 with crops of at least 60% of the 8x8 digit ends above it on each
 * seed tried (+0.002 to +0.022 kNN accuracy; the untrained conv net is already at 0.92-0.95,
 * pixels at 0.97).
 */
export const PAGE_RECIPE = {
  /** Adam's peak learning rate (warm-up 10% of the steps, then cosine). @default 1e-3 */
  learningRate: 1e-3,
  /** SimCLR's τ. @default 0.1 (the digits study, BENCHMARKS.md, Browser; SimCLR's CIFAR-10 setting 0.5 showed no learning there) */
  simclrTemperature: 0.1,
  /** Lower bound of the random crop's area on the bundled 8x8 digits. @default 0.6 (the digits study; smallGrey's 0.3 is 4x4 pixels of an 8x8 digit) */
  digitsMinCropScale: 0.6,
  /** BatchNorm between each convolution of the encoder and its ReLU. @default false (the study: below the untrained network on seed 2 with it) */
  encoderBatchNorm: false,
};

export interface PageMethodOptions {
  /** Seed of the weights. @default 0 */
  seed?: number;
  /** The bundled digits: no horizontal flips. @default false */
  forDigits?: boolean;
  /** Overrides of `PAGE_RECIPE` (bench/web-digits.ts tries others). */
  recipe?: Partial<typeof PAGE_RECIPE>;
}

/** The chosen method on images of `shape` (n training images), with its augmentation. */
export function makePageMethod(
  name: PageMethod,
  shape: [number, number, number],
  n: number,
  { seed = 0, forDigits = false, recipe = {} }: PageMethodOptions = {},
): { method: Method; augmentation: Augmentation } {
  const r = { ...PAGE_RECIPE, ...recipe };
  const [size, , channels] = shape;
  const augmentation =
    channels === 3
      ? simclrCifar(size)
      : smallGrey([size, size], {
          horizontalFlip: !forDigits,
          ...(forDigits ? { cropScale: [r.digitsMinCropScale, 1] as [number, number] } : {}),
        });
  const optimizer = (): Optimizer => new Optimizer({ name: 'adam', learningRate: r.learningRate, weightDecay: 1e-6 });
  const encoder = (): tf.LayersModel => convNet({ inputShape: shape, seed, batchNorm: r.encoderBatchNorm });
  const head = (): tf.LayersModel => projectionHead({ inputDim: 128, outputDim: 64, seed: seed + 1000 });
  switch (name) {
    case 'simclr':
      return {
        method: simclr({ encoder: encoder(), head: head(), augmentation, temperature: r.simclrTemperature, optimizer: optimizer() }),
        augmentation,
      };
    case 'invaspread':
      return { method: invaSpread({ encoder: encoder(), head: head(), augmentation, optimizer: optimizer() }), augmentation };
    case 'moco':
      return {
        method: moco({
          encoder: encoder(),
          head: head(),
          keyEncoder: encoder(),
          keyHead: head(),
          augmentation,
          queueSize: Math.min(1024, n),
          seed,
          optimizer: optimizer(),
        }),
        augmentation,
      };
    case 'npid':
      return {
        method: npid({
          encoder: encoder(),
          head: head(),
          bank: new MemoryBank({ size: n, dim: 64, seed }),
          negatives: Math.min(1024, n),
          augmentation,
          optimizer: optimizer(),
        }),
        augmentation,
      };
    case 'cmc': {
      if (channels !== 3) throw new Error('CMC contrasts the L and ab channels of colour images: these images are grey');
      const recipe = {
        method: 'cmc',
        arch: 'small-cnn' as const,
        inputShape: [...shape],
        kind: 'image' as const,
        width: 64,
        flip: true,
        temperature: 0.07,
        projectionDim: 64,
        seed,
        ...cmcRecipe({}, { kind: 'image', sampleShape: shape, trainSize: n, arch: 'small-cnn' }),
      };
      return {
        method: buildMethod({ recipe, optimizer: { name: 'adam', learningRate: r.learningRate, weightDecay: 1e-6, clipNorm: 0 } }),
        augmentation,
      };
    }
  }
}
