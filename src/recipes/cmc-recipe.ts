/**
 * How the CLI builds CMC (`pretrain --method cmc`): the views of `--views` (default `lab`: the
 * paper's L / ab split), one encoder per view at HALF the width of the `--arch` encoder (the paper
 * splits the network's width between the views), each with its own projection head to a 128-d
 * L2-normalised embedding, the reference's crop-and-flip augmentation applied once before the split.
 *
 * Objective default `softmax` (in-batch InfoNCE): it needs no per-instance state, so it behaves
 * the same on 4,000 images as on a million, it is fresh at every step, and the reference's author
 * advises it over NCE on small datasets (HobbitLong/CMC issues #12, #50: with a memory bank every
 * row is refreshed only once per epoch and the NCE estimate of Z drifts). `--objective nce` gives
 * the reference's memory-bank NCE (K 4096, τ 0.07, momentum 0.5), sound for large datasets.
 */
import type { LossName } from '../losses/targets.js';
import * as tf from '../tf.js';
import type { Dataset } from '../data/dataset.js';
import type { Augmentation } from '../augment/augmentation.js';
import { convNet } from '../models/conv-net.js';
import { resnet } from '../models/resnet.js';
import { projectionHead } from '../models/projection-head.js';
import { cmc, CMC_GRAPHS, CMC_OBJECTIVES, type CmcGraph, type CmcObjective } from '../methods/cmc.js';
import type { Method } from '../methods/method.js';
import type { Optimizer } from '../optim/optimizers.js';
import { builtinView, parseViewList } from '../cmc-views/builtin.js';
import { viewSampleShape, type ViewSpec } from '../cmc-views/view.js';
import { ConfigError } from '../errors.js';
import { buildLayersModel, checkLayersModelArch, type LayersModelArch } from '../models/layers-model-arch.js';

/** CMC's part of a run's recipe (config.json). */
export interface CmcRecipe {
  views: ViewSpec[];
  graph: CmcGraph;
  objective: CmcObjective;
  /** NCE: noise rows per step (capped at the bank size). */
  negatives: number;
  /** NCE: rows of each view's bank (the training set's size). */
  bankSize: number;
}

/** What `cmcRecipe` reads from the command's options. */
export interface CmcCliOptions {
  /** `--views`. @default 'lab' */
  views?: string;
  /** `--graph`. @default 'core' (the paper's default graph) */
  graph?: string;
  /** `--objective`. @default 'softmax' (see the file's comment) */
  objective?: string;
  /** `--negatives`. @default 4096 (HobbitLong/CMC `nce_k`) */
  negatives?: number;
}

/**
 * The recipe fields of a CMC run, checked against the data without making a tensor (a bad option
 * is one line before the backend starts): images only, the Lab views need 3 channels, the
 * half-resolution view needs at least 2 pixels a side.
 */
export function cmcRecipe(
  o: CmcCliOptions,
  data: { kind: Dataset['kind']; sampleShape: readonly number[]; trainSize: number; arch: string },
): { augmentation: 'cmc'; cmc: CmcRecipe } {
  const fn = 'pretrain';
  if (data.kind !== 'image' || data.sampleShape.length !== 3) {
    throw new ConfigError(
      fn,
      '--method',
      `cmc splits images into views; got ${data.kind} samples of shape [${data.sampleShape.join(', ')}]`,
    );
  }
  if (data.arch === 'mlp') throw new ConfigError(fn, '--arch', 'cmc needs an image encoder (small-cnn or resnet18), got mlp');
  const views = parseViewList(o.views ?? 'lab', fn, '--views');
  const [h, w, c] = data.sampleShape as [number, number, number];
  for (const v of views) {
    if ((v.name === 'lab-l' || v.name === 'lab-ab') && c !== 3) {
      throw new ConfigError(
        fn,
        '--views',
        `view '${v.name}' needs RGB images (3 channels: a grey image has no a and b), the data has ${c}; use --views gradient,half-luminance for grey images`,
      );
    }
    if (v.name === 'half-luminance' && (h < 2 || w < 2))
      throw new ConfigError(fn, '--views', `view 'half-luminance' needs images of at least 2x2, got ${h}x${w}`);
  }
  const graph = o.graph ?? 'core';
  if (!(CMC_GRAPHS as readonly string[]).includes(graph))
    throw new ConfigError(fn, '--graph', `must be one of ${CMC_GRAPHS.join(', ')}, got '${graph}'`);
  const objective = o.objective ?? 'softmax';
  if (!(CMC_OBJECTIVES as readonly string[]).includes(objective))
    throw new ConfigError(fn, '--objective', `cmc takes ${CMC_OBJECTIVES.join(' or ')}, got '${objective}'`);
  return {
    augmentation: 'cmc',
    cmc: {
      views,
      graph: graph as CmcGraph,
      objective: objective as CmcObjective,
      negatives: Math.min(o.negatives ?? 4096, data.trainSize),
      bankSize: data.trainSize,
    },
  };
}

/** The encoder of one view at half the width of `arch`'s (convNet [16, 32, 64]; ResNet-18 of base width/2). */
function viewEncoder(arch: string, inputShape: [number, number, number], width: number, seed: number, name: string): tf.LayersModel {
  if (arch === 'resnet18') {
    const w = Math.max(1, Math.round(width / 2));
    return resnet({ inputShape, stemWidth: w, widths: [w, 2 * w, 4 * w, 8 * w], blocksPerStage: [2, 2, 2, 2], seed, name });
  }
  const pools = Math.max(0, Math.min(2, Math.floor(Math.log2(Math.min(inputShape[0], inputShape[1])))));
  return convNet({ inputShape, widths: [16, 32, 64].slice(2 - pools), seed, name });
}

/**
 * The CMC method of a recipe, with fresh weights seeded by `seed`. With a user's model
 * (`layersModel`, `--arch <model.json>`) every view gets a copy of it, which must read that
 * view's samples (a ConfigError naming the view and both shapes otherwise).
 */
export function buildCmc(
  r: {
    arch: string;
    inputShape: number[];
    width: number;
    seed: number;
    temperature: number;
    projectionDim: number;
    head?: 'mlp' | 'linear';
    headBatchNorm?: boolean;
    cmc?: CmcRecipe;
    loss?: LossName;
  },
  optimizer: Optimizer,
  augmentation: Augmentation,
  layersModel?: LayersModelArch,
): Method {
  const c = r.cmc;
  if (c === undefined)
    throw new ConfigError(
      'pretrain',
      '--method',
      "cmc needs the recipe's cmc settings (views, graph, objective); the run's config.json has none",
    );
  const views = c.views.map(builtinView);
  const encoders: tf.LayersModel[] = [];
  const heads: tf.LayersModel[] = [];
  try {
    views.forEach((v, i) => {
      const shape = viewSampleShape(v, r.inputShape, 'pretrain') as [number, number, number];
      const name = `cmc_view${i + 1}_encoder`;
      if (layersModel !== undefined)
        checkLayersModelArch({ ...layersModel, source: `${layersModel.source} (cmc view '${v.name}')` }, shape);
      const enc =
        layersModel !== undefined
          ? buildLayersModel(layersModel, { seed: r.seed + 100 * i, name })
          : viewEncoder(r.arch, shape, r.width, r.seed + 100 * i, name);
      encoders.push(enc);
      const dim = enc.outputs[0]!.shape[1] as number;
      heads.push(
        projectionHead({
          inputDim: dim,
          outputDim: r.projectionDim,
          layers: r.head === 'linear' ? 1 : 2,
          batchNorm: r.headBatchNorm ?? false,
          seed: r.seed + 1000 + 100 * i,
          name: `cmc_view${i + 1}_head`,
        }),
      );
    });
    return cmc({
      views,
      encoders,
      heads,
      inputShape: r.inputShape,
      augmentation,
      graph: c.graph,
      objective: c.objective,
      ...(r.loss !== undefined && r.loss !== 'nce' ? { loss: r.loss } : {}),
      temperature: r.temperature,
      negatives: c.negatives,
      bankSize: c.bankSize,
      seed: r.seed,
      optimizer,
    });
  } catch (err) {
    for (const m of [...encoders, ...heads]) m.dispose();
    throw err;
  }
}
