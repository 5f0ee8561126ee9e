/**
 * CPC's encoder g_enc (van den Oord et al. 2018, https://arxiv.org/abs/1807.03748, §3.1): strided
 * 1-D convolutions with ReLU from raw samples `[B, T, C]` to latents z `[B, T', D]`, one latent per
 * `totalStride` input samples. 'valid' padding: latent t sees input samples
 * `[t * totalStride, t * totalStride + receptiveField)` and no padding enters a latent.
 *
 * The paper's audio encoder has strides [5, 4, 2, 2, 2] and kernels [10, 8, 4, 4, 4] (total stride
 * 160 = 10 ms at 16 kHz) and 512 filters. `conv1dPreset` picks a geometry from the data's length.
 */
import * as tf from '../tf.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertInteger } from '../validate.js';

export interface Conv1dGeometry {
  /** Stride of each convolution. */
  strides: number[];
  /** Kernel size of each convolution (same length as `strides`). */
  kernelSizes: number[];
}

export interface Conv1dEncoderOptions extends Partial<Conv1dGeometry> {
  /** Channels of the input `[B, T, C]`. @default 1 (mono audio, univariate series) */
  channels?: number;
  /** Filters of every convolution: the latent size D. @default 64 (the paper's 512, scaled down for 2 CPU cores) */
  filters?: number;
  /** Seed of the Glorot-uniform kernel initialisers. @default 0 */
  seed?: number;
  /** Model name (prefix of its layers). @default 'conv1d_encoder' */
  name?: string;
  /**
   * Standardise each sequence (per channel, over its whole length) before the convolutions, so that
   * quiet and loud clips give latents of one scale (wav2vec 2.0 normalises each utterance the same
   * way). Looks at the whole input, so latents are no longer causal. @default false
   */
  standardize?: boolean;
}

/** `[B, T, C]` -> `(x - mean_t) / sqrt(var_t + 1e-5)` per sequence and channel. Registered for save/load. */
export class SequenceStandardize extends tf.layers.Layer {
  static readonly className = 'ContrastiveSequenceStandardize';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D; // [B, T, C]
      const { mean, variance } = tf.moments(x, 1, true); // [B, 1, C] each
      return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    });
  }
}
tf.serialization.registerClass(SequenceStandardize);

/** The 8 kHz speech geometry: strides [5, 4, 2, 2], kernels [10, 8, 4, 4] (total stride 80 = 10 ms at 8 kHz, the paper's 160 at 16 kHz). */
export const AUDIO_8K_GEOMETRY: Conv1dGeometry = { strides: [5, 4, 2, 2], kernelSizes: [10, 8, 4, 4] };
/** Short series (UCR, ~100-1000 steps): strides [2, 2], kernels [4, 4] (total stride 4). */
export const SHORT_SERIES_GEOMETRY: Conv1dGeometry = { strides: [2, 2], kernelSizes: [4, 4] };
/** Very short series (< 64 steps): one convolution, stride 1, kernel 3. */
export const TINY_SERIES_GEOMETRY: Conv1dGeometry = { strides: [1], kernelSizes: [3] };

/** The geometry that suits sequences of `length` steps: audio from 2,000 steps, short series from 64, else tiny. */
export function conv1dPreset(length: number): Conv1dGeometry {
  assertInteger(length, 'conv1dPreset', 'length');
  const g = length >= 2000 ? AUDIO_8K_GEOMETRY : length >= 64 ? SHORT_SERIES_GEOMETRY : TINY_SERIES_GEOMETRY;
  return { strides: [...g.strides], kernelSizes: [...g.kernelSizes] };
}

/** Checks a geometry (fn names the caller in errors). */
export function assertGeometry(g: Partial<Conv1dGeometry>, fn: string): asserts g is Conv1dGeometry {
  const { strides, kernelSizes } = g;
  if (!Array.isArray(strides) || strides.length === 0)
    throw new ConfigError(fn, 'strides', `must be a non-empty array of integers >= 1, got ${JSON.stringify(strides)}`);
  if (!Array.isArray(kernelSizes) || kernelSizes.length !== strides.length) {
    throw new ConfigError(
      fn,
      'kernelSizes',
      `must be an array of ${strides.length} integers (one per stride), got ${JSON.stringify(kernelSizes)}`,
    );
  }
  strides.forEach((s, i) => assertInteger(s, fn, `strides[${i}]`));
  kernelSizes.forEach((k, i) => assertInteger(k, fn, `kernelSizes[${i}]`));
}

/** Input samples one latent sees, and input samples between two latents. */
export function receptiveField(g: Conv1dGeometry): { receptiveField: number; totalStride: number } {
  assertGeometry(g, 'receptiveField');
  let field = 1;
  let jump = 1;
  g.strides.forEach((s, i) => {
    field += (g.kernelSizes[i]! - 1) * jump;
    jump *= s;
  });
  return { receptiveField: field, totalStride: jump };
}

/** Latents T' produced from `length` input steps ('valid' padding): 0 when the input is shorter than the receptive field. */
export function latentLength(g: Conv1dGeometry, length: number): number {
  let t = length;
  g.strides.forEach((s, i) => {
    t = t >= g.kernelSizes[i]! ? Math.floor((t - g.kernelSizes[i]!) / s) + 1 : 0;
  });
  return t;
}

/** Input steps needed for `latents` latents: receptiveField + (latents - 1) * totalStride. */
export function inputLengthFor(g: Conv1dGeometry, latents: number): number {
  const { receptiveField: r, totalStride } = receptiveField(g);
  return r + (latents - 1) * totalStride;
}

/** g_enc: `[B, T, C]` -> `[B, T', filters]`, any T >= the receptive field (the input's time axis is unspecified). */
export function conv1dEncoder(options: Conv1dEncoderOptions = {}): tf.LayersModel {
  const fn = 'conv1dEncoder';
  const {
    strides = AUDIO_8K_GEOMETRY.strides,
    kernelSizes = strides === AUDIO_8K_GEOMETRY.strides ? AUDIO_8K_GEOMETRY.kernelSizes : undefined,
    channels = 1,
    filters = 64,
    seed = 0,
    name = 'conv1d_encoder',
    standardize = false,
  } = options;
  const g = { strides, kernelSizes };
  assertGeometry(g, fn);
  assertInteger(channels, fn, 'channels');
  assertInteger(filters, fn, 'filters');
  const input = tf.input({ shape: [null, channels], name: `${name}_input` }); // [B, T, C]
  let h: tf.SymbolicTensor = standardize
    ? (new SequenceStandardize({ name: `${name}_standardize` }).apply(input) as tf.SymbolicTensor)
    : input;
  g.strides.forEach((s, i) => {
    h = tf.layers
      .conv1d({
        filters,
        kernelSize: g.kernelSizes[i]!,
        strides: s,
        padding: 'valid',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
        name: `${name}_conv${i + 1}`,
      })
      .apply(h) as tf.SymbolicTensor; // [B, T_i, filters]
  });
  return tf.model({ inputs: input, outputs: h, name });
}

/** Throws a ShapeError when `x` ([B, T, C]) is too short for `g` to make `minLatents` latents. */
export function assertLongEnough(x: tf.Tensor, g: Conv1dGeometry, minLatents: number, fn: string, arg = 'x'): void {
  const t = x.shape[1]!;
  if (latentLength(g, t) < minLatents) {
    throw new ShapeError(
      fn,
      arg,
      `must have at least ${inputLengthFor(g, minLatents)} time steps (${minLatents} latent(s) of receptive field ${receptiveField(g).receptiveField}, stride ${receptiveField(g).totalStride}), got ${t}`,
    );
  }
}
