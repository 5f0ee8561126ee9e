/**
 * The defaults the CLI picks from the data, so that one command works on small grey images,
 * small colour images and vectors it has never seen, and the same choices can be rebuilt from
 * a run's config.json (eval, embed, resume).
 *
 * | data               | arch        | augmentation                                   |
 * |--------------------|-------------|------------------------------------------------|
 * | image, 1 channel   | small-cnn   | smallGrey(size) + brightness/contrast jitter    |
 * | image, 3 channels  | small-cnn   | simclrCifar(size); simclrImageNet from 64 px   |
 * | vector             | mlp         | vectorCorruption (SCARF-style) + noise          |
 *
 * The small CNN is the default for images because a ResNet trains many times slower on a few CPU
 * cores (step times in BENCHMARKS.md); pass `--arch resnet18` where there is time or a GPU.
 */
import * as tf from '../tf.js';
import type { Dataset } from '../data/dataset.js';
import { buildAugmentation } from '../augment/build-augmentation.js';
import { convNet } from '../models/conv-net.js';
import { resnet } from '../models/resnet.js';
import { mlp } from '../models/mlp.js';
import { projectionHead } from '../models/projection-head.js';
import { simclr } from '../methods/simclr.js';
import { npid, type NpidBankInit, type NpidObjective } from '../methods/npid.js';
import { invaSpread } from '../methods/inva-spread.js';
import { moco, MOCO_DEFAULTS } from '../methods/moco.js';
import { contrastive, type KeyBatchNorm } from '../methods/contrastive.js';
import { buildCmc, type CmcRecipe } from './cmc-recipe.js';
import { MemoryBank } from '../memory/memory-bank.js';
import type { Method } from '../methods/method.js';
import { buildCpc, type CpcRecipe } from './cpc-recipe.js';
import { Optimizer, type OptimizerName } from '../optim/optimizers.js';
import { views } from '../augment/views.js';
import { LOSS_SPECS, makeTarget, type LossName } from '../losses/targets.js';
import type { NegativeSource } from '../losses/target.js';
import type { TripletMining } from '../losses/mined-triplet.js';
import { PAIRINGS } from './pairing.js';
import { ConfigError } from '../errors.js';
import { buildLayersModel, checkLayersModelArch, type LayersModelArch } from '../models/layers-model-arch.js';

export const ARCHS = ['small-cnn', 'resnet18', 'mlp', 'conv1d-gru'] as const;
export type Arch = (typeof ARCHS)[number];

/** A recipe's arch when the encoder is a user's tfjs LayersModel (`--arch <model.json>`; recipe.layersModel says which). */
export const LAYERS_MODEL_ARCH = 'layers-model';
export type RecipeArch = Arch | typeof LAYERS_MODEL_ARCH;

/** `--arch` names a model.json file rather than a built-in arch. */
export const isArchFile = (arch: string): boolean => arch.toLowerCase().endsWith('.json');

export const METHODS = ['simclr', 'npid', 'invaspread', 'cmc', 'cpc', 'moco'] as const;

/**
 * Projection heads: 'mlp' (SimCLR's 2-layer MLP, the default for every method) or 'linear' (one
 * Dense to 128-d, the NPID and InvaSpread papers' fc; on Fashion-MNIST it did better than the MLP
 * for NPID NCE's kNN at 1% labels only and worse elsewhere: BENCHMARKS.md, NPID).
 */
export const HEADS = ['mlp', 'linear'] as const;
export type HeadKind = (typeof HEADS)[number];

/**
 * τ per method when `--temperature` is not given, with the method's own loss: SimCLR 0.5
 * (CIFAR-10), NPID 0.07, InvaSpread 0.1, CMC 0.07, MoCo v2 0.2 (their papers). With another
 * `--loss`, that loss's default (`defaultTemperatureFor`).
 */
export const DEFAULT_TEMPERATURE: Record<string, number> = {
  simclr: LOSS_SPECS.ntxent.temperature!,
  npid: LOSS_SPECS.nce.temperature!,
  invaspread: LOSS_SPECS.invaspread.temperature!,
  cmc: 0.07, // HobbitLong/CMC, train_CMC.py nce_t (for its in-batch softmax too)
  moco: LOSS_SPECS.infonce.temperature!,
};

/** The τ of a run with `loss` on `method` when none is given (undefined: the loss has no τ). */
export function defaultTemperatureFor(method: string, loss: LossName | undefined): number | undefined {
  if (loss === undefined || loss === PAIRINGS[method]?.defaultLoss || (method === 'npid' && loss === 'softmax'))
    return DEFAULT_TEMPERATURE[method];
  return LOSS_SPECS[loss].temperature;
}

/** Everything needed to rebuild a run's models and augmentation; stored in config.json. */
export interface Recipe {
  method: string;
  arch: RecipeArch;
  /** `arch` 'layers-model': the user's model.json (`source`, as given), whether training started from its weights, and the run folder's copy of its topology (`file`). */
  layersModel?: { source: string; weights: boolean; file: string };
  /** Sample shape the encoder reads. */
  inputShape: number[];
  kind: Dataset['kind'];
  /** ResNet width multiplier base (stem and first stage); ignored by other archs. */
  width: number;
  augmentation: string;
  /** Horizontal flips in the grey-image augmentation. */
  flip: boolean;
  temperature: number;
  projectionDim: number;
  /** The projection head's shape. Absent in runs made before it existed, which all have 'mlp'. @default 'mlp' */
  head?: HeadKind;
  /** BatchNorm in the projection head's hidden layer (SimCLR v2's heads; 'mlp' heads only). @default false */
  headBatchNorm?: boolean;
  /** small-cnn: BatchNorm after each convolution. Absent in runs made before it existed. @default false */
  encoderBatchNorm?: boolean;
  /** small-cnn, resnet18: BatchNorm without scale or shift on the pooled h (src/models/feature-batch-norm.ts). Absent in runs made before it existed. @default false */
  featureBatchNorm?: boolean;
  /**
   * The saved encoder ends with the shrinkage whitening of h (src/models/feature-whitening.ts):
   * α and the cap on the training samples it is fitted on, once training is done. Absent: h as
   * the encoder computes it (runs made before it existed, and every method but the image ones).
   */
  featureWhitening?: { shrinkage: number; samples: number };
  seed: number;
  /** CPC: encoder geometry, K, negatives, window, pooling (sequences; `arch` 'conv1d-gru'). */
  cpc?: CpcRecipe;
  /** NPID: rows of the memory bank (the training set's size). */
  bankSize?: number;
  /** NPID: 'nce' or 'softmax'. */
  objective?: NpidObjective;
  /** NPID: noise rows per step of the NCE objective. */
  negatives?: number;
  /** NPID: what the bank holds when training starts (runs made before this option: 'random', but they resume from their saved bank). */
  bankInit?: NpidBankInit;
  /** CMC: views, graph, objective (src/recipes/cmc-recipe.ts). */
  cmc?: CmcRecipe;
  /** The target function (src/losses/targets.ts). Absent in runs made before it existed: the method's own loss. */
  loss?: LossName;
  /** Where negatives come from. Absent in runs made before it existed: the method's own. */
  negativeSource?: NegativeSource;
  /** Triplet: margin and mining. */
  margin?: number;
  mining?: TripletMining;
  /** Align-uniform: weight of the uniformity term. */
  uniformityWeight?: number;
  /** MoCo: keys in the queue. @default 4096 (MOCO_DEFAULTS) */
  queueSize?: number;
  /** MoCo: EMA momentum of the key encoder. @default 0.99 (MOCO_DEFAULTS) */
  keyMomentum?: number;
  /** MoCo: the key models' BatchNorm. A run recorded without it trained with `'moving'` (and resumes so). */
  keyBatchNorm?: KeyBatchNorm;
  /** SimCLR multi-crop: small crops added to the two global views. @default 0 */
  localCrops?: number;
}

/** The arch that suits the data when none is given. */
export function defaultArch(data: Pick<Dataset, 'kind' | 'sampleShape'>): Arch {
  if (data.kind === 'image') return 'small-cnn';
  if (data.kind === 'vector') return 'mlp';
  throw new ConfigError(
    'pretrain',
    '--data',
    `holds sequences (sample shape [${data.sampleShape.join(', ')}]): train them with --method cpc, or give your own encoder (--arch my/model.json, e.g. a tf.layers.lstm) to simclr, invaspread, moco or npid`,
  );
}

/** The augmentation preset name that suits the data. */
export function defaultAugmentation(kind: Dataset['kind'], inputShape: readonly number[]): string {
  if (kind === 'vector') return 'vector-corruption';
  const [h, w, c] = inputShape as [number, number, number];
  if (c === 1) return 'small-grey-jitter';
  if (c === 3) return Math.min(h, w) >= 64 ? 'simclr-imagenet' : 'simclr-cifar';
  throw new ConfigError('pretrain', '--data', `images must have 1 or 3 channels, got ${c}`);
}

/**
 * Throws a ConfigError naming `--arch` when the arch cannot read the data (no tensor is made). A
 * user's LayersModel is checked against the data's shape by `checkLayersModelArch` once loaded.
 */
export function checkArch(r: Pick<Recipe, 'arch' | 'inputShape' | 'kind'> & { method?: string }): void {
  if (r.arch === LAYERS_MODEL_ARCH) {
    if (r.method === 'cpc')
      throw new ConfigError(
        'pretrain',
        '--arch',
        'cpc builds its own encoder (a strided conv1d whose per-step features feed a GRU context), not one vector per sample: a model.json applies to simclr, invaspread, moco, npid and cmc',
      );
    if (r.kind === 'sequence' && r.method === 'cmc')
      throw new ConfigError(
        'pretrain',
        '--arch',
        `cmc's views are channels of images; the data holds sequences (sample shape [${r.inputShape.join(', ')}]): use simclr, invaspread, moco or npid with your model.json, or cpc`,
      );
    return;
  }
  if (r.arch === 'conv1d-gru' || r.kind === 'sequence') {
    if (r.arch !== 'conv1d-gru' || r.kind !== 'sequence' || r.inputShape.length !== 2) {
      throw new ConfigError(
        'pretrain',
        '--arch',
        `conv1d-gru (CPC) takes sequences ([T, C] samples) and sequences take conv1d-gru (--method cpc) or a model.json of yours (--arch my/model.json with simclr, invaspread, moco or npid), got ${r.arch} for ${r.kind} samples of shape [${r.inputShape.join(', ')}]`,
      );
    }
    return;
  }
  if (r.arch === 'mlp') {
    if (r.kind !== 'vector' || r.inputShape.length !== 1) {
      throw new ConfigError('pretrain', '--arch', `mlp takes vector data ([D] samples), got samples of shape [${r.inputShape.join(', ')}]`);
    }
  } else if (r.kind !== 'image' || r.inputShape.length !== 3) {
    throw new ConfigError(
      'pretrain',
      '--arch',
      `${r.arch} takes images ([H, W, C] samples), got samples of shape [${r.inputShape.join(', ')}]`,
    );
  }
}

/**
 * The encoder of a recipe, with random weights from `seed`; arch 'layers-model': a copy of
 * `layersModel` (its weights when it has them, else its initializers seeded from `seed`).
 */
export function buildEncoder(
  r: Pick<Recipe, 'arch' | 'inputShape' | 'width' | 'kind' | 'encoderBatchNorm' | 'featureBatchNorm'> & { method?: string },
  seed: number,
  layersModel?: LayersModelArch,
): tf.LayersModel {
  checkArch(r);
  if (r.arch === LAYERS_MODEL_ARCH) {
    if (layersModel === undefined)
      throw new ConfigError(
        'buildEncoder',
        'layersModel',
        "is required for a recipe whose arch is 'layers-model' (the run folder's arch.json, read by loadLayersModelArch)",
      );
    checkLayersModelArch(layersModel, r.inputShape);
    return buildLayersModel(layersModel, { seed });
  }
  if (r.arch === 'mlp') return mlp({ inputDim: r.inputShape[0]!, hiddenUnits: [512, 128], seed });
  const inputShape = r.inputShape as [number, number, number];
  const featureBatchNorm = r.featureBatchNorm ?? false;
  if (r.arch === 'small-cnn') return convNet({ inputShape, seed, batchNorm: r.encoderBatchNorm ?? false, featureBatchNorm });
  const w = r.width;
  return resnet({ inputShape, stemWidth: w, widths: [w, 2 * w, 4 * w, 8 * w], blocksPerStage: [2, 2, 2, 2], seed, featureBatchNorm });
}

export interface MethodBuild {
  recipe: Recipe;
  optimizer: { name: OptimizerName; learningRate: number; weightDecay: number; clipNorm: number };
  /** The user's model when `recipe.arch` is 'layers-model' (not stored in config.json: the run folder keeps its topology in arch.json). */
  layersModel?: LayersModelArch;
}

/** An image/vector method's encoder and projection head from a recipe (seeded). */
function encoderAndHead(
  recipe: Recipe,
  layersModel: LayersModelArch | undefined,
  seedOffset = 0,
): { encoder: tf.LayersModel; head: tf.LayersModel } {
  const encoder = buildEncoder(recipe, recipe.seed + seedOffset, layersModel);
  const dim = encoder.outputs[0]!.shape[1] as number;
  const head = projectionHead({
    inputDim: dim,
    outputDim: recipe.projectionDim,
    layers: recipe.head === 'linear' ? 1 : 2,
    batchNorm: recipe.headBatchNorm ?? false,
    seed: recipe.seed + 1000 + seedOffset,
  });
  return { encoder, head };
}

/** The target options a recipe holds. */
function targetOptions(recipe: Recipe): { temperature: number; margin?: number; mining?: TripletMining; weight?: number } {
  return {
    temperature: recipe.temperature,
    ...(recipe.margin !== undefined ? { margin: recipe.margin } : {}),
    ...(recipe.mining !== undefined ? { mining: recipe.mining } : {}),
    ...(recipe.uniformityWeight !== undefined ? { weight: recipe.uniformityWeight } : {}),
  };
}

/** The instance-views methods (simclr, invaspread) with a loss other than their own: the generic proxy task. */
function instanceViews(recipe: Recipe, optimizer: Optimizer, loss: LossName, layersModel: LayersModelArch | undefined): Method {
  const { encoder, head } = encoderAndHead(recipe, layersModel);
  const o = targetOptions(recipe);
  return contrastive({
    name: recipe.method,
    config: { loss, ...o },
    encoder,
    head,
    views: views(buildAugmentation(recipe), 2),
    target: makeTarget(loss, 'batch', o),
    optimizer,
  });
}

export type Builder = (recipe: Recipe, optimizer: Optimizer, layersModel?: LayersModelArch) => Method;

/** How each method is built from a recipe: the registry `buildMethod` looks up (no switch on the name elsewhere). */
export const METHOD_BUILDERS: Readonly<Record<(typeof METHODS)[number], Builder>> = {
  simclr: (recipe, optimizer, layersModel) => {
    if (recipe.loss !== undefined && recipe.loss !== 'ntxent') return instanceViews(recipe, optimizer, recipe.loss, layersModel);
    return simclr({
      ...encoderAndHead(recipe, layersModel),
      augmentation: buildAugmentation(recipe),
      temperature: recipe.temperature,
      localCrops: recipe.localCrops ?? 0,
      optimizer,
    });
  },
  invaspread: (recipe, optimizer, layersModel) => {
    if (recipe.loss !== undefined && recipe.loss !== 'invaspread') return instanceViews(recipe, optimizer, recipe.loss, layersModel);
    return invaSpread({
      ...encoderAndHead(recipe, layersModel),
      augmentation: buildAugmentation(recipe),
      temperature: recipe.temperature,
      optimizer,
    });
  },
  moco: (recipe, optimizer, layersModel) => {
    const { encoder, head } = encoderAndHead(recipe, layersModel);
    const keys = encoderAndHead(recipe, layersModel); // same seeds: same architecture (the weights are replaced by the encoder's)
    return moco({
      encoder,
      head,
      keyEncoder: keys.encoder,
      keyHead: keys.head,
      augmentation: buildAugmentation(recipe),
      temperature: recipe.temperature,
      queueSize: recipe.queueSize ?? MOCO_DEFAULTS.queueSize,
      momentum: recipe.keyMomentum ?? MOCO_DEFAULTS.momentum,
      keyBatchNorm: recipe.keyBatchNorm ?? 'moving',
      seed: recipe.seed,
      optimizer,
    });
  },
  npid: (recipe, optimizer, layersModel) => {
    const size = recipe.bankSize ?? 0;
    if (!(size >= 1))
      throw new ConfigError(
        'pretrain',
        '--method',
        `npid needs the training set's size for its memory bank, got ${String(recipe.bankSize)}`,
      );
    const bank = new MemoryBank({ size, dim: recipe.projectionDim, seed: recipe.seed });
    const objective = (recipe.loss as NpidObjective | undefined) ?? recipe.objective ?? 'nce';
    return npid({
      ...encoderAndHead(recipe, layersModel),
      bank,
      objective,
      negatives: Math.min(recipe.negatives ?? 4096, size),
      bankInit: recipe.bankInit ?? 'features',
      temperature: recipe.temperature,
      augmentation: buildAugmentation(recipe),
      optimizer,
    });
  },
  cmc: (recipe, optimizer, layersModel) => buildCmc(recipe, optimizer, buildAugmentation(recipe), layersModel), // one encoder per view
  cpc: (recipe, optimizer) => {
    if (recipe.cpc === undefined)
      throw new ConfigError('pretrain', '--method', "cpc needs the recipe's cpc section (made by pretrain from the data)");
    return buildCpc(recipe.cpc, recipe.inputShape[1]!, recipe.seed, optimizer);
  },
};

/** The method of a recipe with fresh weights (seeded by the recipe). */
export function buildMethod({ recipe, optimizer, layersModel }: MethodBuild): Method {
  const build = (METHOD_BUILDERS as Record<string, Builder | undefined>)[recipe.method];
  if (build === undefined) throw new ConfigError('pretrain', '--method', `must be one of ${METHODS.join(', ')}, got '${recipe.method}'`);
  return build(recipe, new Optimizer(optimizer), layersModel);
}
