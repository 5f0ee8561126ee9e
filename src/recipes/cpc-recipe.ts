/**
 * What the CLI needs for `--method cpc` on sequences (WAV folders, UCR series): one fixed length
 * per run (the trainer stacks batches; evaluation embeds whole clips padded or cropped to it), the
 * encoder geometry and K chosen from that length, and the method rebuilt from a run's recipe.
 *
 * | sequences of L steps | g_enc strides / kernels       | K (prediction steps) | training window |
 * |----------------------|-------------------------------|----------------------|-----------------|
 * | L >= 2000 (audio)    | [5, 4, 2, 2] / [10, 8, 4, 4]  | 12 (the paper)       | min(L, 4096)    |
 *
 * Audio clips are standardised one by one before g_enc (`standardize`); UCR series come z-normalised.
 * | 64 <= L < 2000       | [2, 2] / [4, 4]               | min(6, (T'-1)/2)     | L               |
 * | L < 64               | [1] / [3]                     | min(3, (T'-1)/2)     | L               |
 */
import type { Dataset } from '../data/dataset.js';
import { fixLength } from '../data/fix-length.js';
import { oneLength, type OneLengthOptions } from '../data/one-length.js';
import { ConfigError, DataError } from '../errors.js';
import {
  conv1dEncoder,
  conv1dPreset,
  inputLengthFor,
  latentLength,
  receptiveField,
  type Conv1dGeometry,
} from '../models/conv1d-encoder.js';
import { gruContext, type SequencePooling } from '../models/gru-context.js';
import { cpc, type CpcMethod, type CpcNegatives } from '../methods/cpc.js';
import type { Optimizer } from '../optim/optimizers.js';

/** The CPC part of a run's recipe (config.json). */
export interface CpcRecipe extends Conv1dGeometry {
  /** Latent size D (g_enc filters). */
  filters: number;
  /** Context size U (GRU units). */
  units: number;
  predictionSteps: number;
  negatives: CpcNegatives;
  timeSteps: number;
  /** Training window (input steps). */
  window: number;
  pooling: SequencePooling;
  /** Standardise each sequence before g_enc (audio: clips differ in loudness). Absent in older runs: false. */
  standardize?: boolean;
}

/** CPC choices a user may make (CLI flags); the rest follows from the data's length. */
export interface CpcChoices extends OneLengthOptions {
  window?: number;
  predictionSteps?: number;
  negatives?: CpcNegatives;
  timeSteps?: number;
  pooling?: SequencePooling;
  filters?: number;
  units?: number;
}

/**
 * Sequences made one length for CPC: fixed-length data as it is, variable lengths cropped (start)
 * or padded (zeros at the end) to `length`. Variable lengths without `length` (and without
 * `autoLength`) are a ConfigError; `length` shorter than CPC needs is a DataError naming the sample.
 */
export async function cpcSequenceData(
  data: Dataset,
  o: CpcChoices,
  fn = 'pretrain',
): Promise<{ data: Dataset; length: number; recipe: CpcRecipe; note?: string }> {
  if (data.kind !== 'sequence' || data.sampleShape.length !== 2) {
    throw new ConfigError(
      fn,
      '--method',
      `cpc takes sequences ([T, C] samples: wav:<dir>, ucr:<dir>), got ${data.kind} samples of shape [${data.sampleShape.join(', ')}]`,
    );
  }
  const { data: fixed, length, shortest, note } = await oneLength(data, o, fn);
  const recipe = cpcRecipe(length, o, fn, `sample ${shortest.index} has ${shortest.length} steps and every sequence is used at ${length}`);
  return { data: fixed, length, recipe, ...(note !== undefined ? { note } : {}) };
}

/** The recipe for sequences of `length` steps and the user's choices. */
export function cpcRecipe(length: number, o: CpcChoices, fn = 'pretrain', sampleNote?: string): CpcRecipe {
  const geometry = conv1dPreset(length);
  const tLat = latentLength(geometry, length);
  const audio = length >= 2000;
  const predictionSteps =
    o.predictionSteps ?? (audio ? 12 : Math.max(1, Math.min(geometry.strides[0] === 1 ? 3 : 6, Math.floor((tLat - 1) / 2))));
  const need = inputLengthFor(geometry, predictionSteps + 1);
  if (length < need) {
    const why = `CPC needs at least ${need} steps for K = ${predictionSteps} (receptive field ${receptiveField(geometry).receptiveField} + K strides of ${receptiveField(geometry).totalStride})`;
    throw new DataError(
      fn,
      '--length',
      sampleNote !== undefined ? `is too short: ${sampleNote}; ${why}` : `must be at least ${need} steps: ${why}, got ${length}`,
    );
  }
  const window = o.window ?? (audio ? Math.min(length, 4096) : length);
  if (window > length) throw new ConfigError(fn, '--window', `must be at most the sequence length ${length}, got ${window}`);
  return {
    ...geometry,
    filters: o.filters ?? 64,
    units: o.units ?? 128,
    predictionSteps,
    negatives: o.negatives ?? 'batch',
    timeSteps: o.timeSteps ?? 8,
    window,
    pooling: o.pooling ?? 'mean',
    standardize: audio,
  };
}

/** CPC with fresh weights from a recipe (g_enc seeded by `seed`, g_ar by seed + 100, W_k by seed + 200). */
export function buildCpc(r: CpcRecipe, channels: number, seed: number, optimizer: Optimizer): CpcMethod {
  const geometry = { strides: r.strides, kernelSizes: r.kernelSizes };
  return cpc({
    encoder: conv1dEncoder({ ...geometry, channels, filters: r.filters, seed, standardize: r.standardize === true }),
    context: gruContext({ inputDim: r.filters, units: r.units, seed: seed + 100 }),
    geometry,
    predictionSteps: r.predictionSteps,
    negatives: r.negatives,
    timeSteps: r.timeSteps,
    window: r.window,
    pooling: r.pooling,
    seed: seed + 200,
    optimizer,
  });
}

/**
 * Data for a run's encoder: sequences cropped/padded to the length the run was trained at (eval,
 * embed of whole clips); anything else unchanged.
 */
export function fitSequenceLength(data: Dataset, recipe: { kind: string; inputShape: readonly number[] }): Dataset {
  if (recipe.kind !== 'sequence' || data.kind !== 'sequence' || data.sampleShape.length !== 2) return data;
  const length = recipe.inputShape[0]!;
  return data.sampleShape[0] === length ? data : fixLength(data, { length });
}
