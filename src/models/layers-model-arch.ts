/**
 * A user's tfjs LayersModel as the encoder of a method (`pretrain --arch my/model.json`): its
 * topology as tfjs-layers' own config (`model.getConfig()`, plain JSON), the shapes it reads and
 * writes, and its weights when the file had them. Plain data, no tensors: a method builds as many
 * copies as it needs (MoCo's key encoder, one per CMC view) synchronously with `buildLayersModel`.
 * Reading a model.json from disk is `loadLayersModelArch` (src/node/run/layers-model-file.ts).
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { routeGruLayers } from './gru-layer.js';
import { routeLstmLayers } from './lstm-layer.js';

/** One weight of the model as saved, in `model.weights` order. */
export interface LayersModelWeight {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export interface LayersModelArch {
  /** Where the topology came from (the user's model.json), for messages. */
  source: string;
  /** The model's class: 'Sequential' or 'Model'. */
  className: string;
  /** `model.getConfig()`: the topology in tfjs-layers' names, JSON. */
  config: tf.serialization.ConfigDict;
  /** The input's shape without the batch axis; null: any size. */
  inputShape: (number | null)[];
  /** Inputs and outputs of the model (an encoder has one of each). */
  inputCount: number;
  /** Output shapes with the batch axis (an encoder's is `[null, D]`). */
  outputShapes: (number | null)[][];
  /** The initial weights, when the file had them (in `model.weights` order); else the topology's initializers run. */
  weights?: LayersModelWeight[];
}

const fmt = (s: readonly (number | null)[]): string => `[${s.map((d) => d ?? 'any').join(', ')}]`;

/**
 * Throws a ConfigError naming `arg` unless `arch` reads samples of `sampleShape` (a null dimension
 * reads any size) and writes one `[N, D]` representation with a known D. No tensor is made.
 */
export function checkLayersModelArch(arch: LayersModelArch, sampleShape: readonly number[], fn = 'pretrain', arg = '--arch'): void {
  if (arch.inputCount !== 1)
    throw new ConfigError(fn, arg, `${arch.source} has ${arch.inputCount} inputs; an encoder reads one tensor of samples`);
  if (arch.outputShapes.length !== 1)
    throw new ConfigError(fn, arg, `${arch.source} has ${arch.outputShapes.length} outputs; an encoder writes one representation [N, D]`);
  const want = arch.inputShape;
  if (want.length !== sampleShape.length || want.some((d, i) => d !== null && d !== sampleShape[i])) {
    // sequences [T, C] that differ only in T: the CLI crops/pads them to any length
    const t = want[0];
    const hint =
      want.length === 2 && sampleShape.length === 2 && want[1] === sampleShape[1] && t !== null && t !== undefined
        ? ` (sequences: crop/pad them to ${t} steps with --length ${t})`
        : '';
    throw new ConfigError(fn, arg, `${arch.source} reads samples of shape ${fmt(want)}, the data's samples are ${fmt(sampleShape)}${hint}`);
  }
  const out = arch.outputShapes[0]!;
  if (out.length !== 2 || out[1] === null) {
    throw new ConfigError(
      fn,
      arg,
      `${arch.source} outputs ${fmt(out)}; the encoder's output is the representation h, [N, D] with a fixed D: end the model with a GlobalAveragePooling2D or a Flatten layer`,
    );
  }
}

/** Gives every initializer in `config` that has no seed one from `next()` (tfjs draws unseeded ones from Math.random). */
function seedInitializers(config: unknown, next: () => number): void {
  if (Array.isArray(config)) {
    for (const v of config) seedInitializers(v, next);
    return;
  }
  if (config === null || typeof config !== 'object') return;
  const o = config as Record<string, unknown>;
  for (const [key, v] of Object.entries(o)) {
    if (key.endsWith('Initializer') && v !== null && typeof v === 'object') {
      const init = (v as { config?: Record<string, unknown> }).config;
      if (init !== undefined && init !== null && 'seed' in init && (init.seed === null || init.seed === undefined)) init.seed = next();
    } else {
      seedInitializers(v, next);
    }
  }
}

export interface BuildLayersModelOptions {
  /** Seeds the initializers the topology leaves unseeded (ignored where the arch has weights). */
  seed: number;
  /** The model's name (CMC needs one per view). @default the topology's own */
  name?: string;
}

/**
 * A new model of `arch`: its saved weights when it has them, else its initializers (seeded). Its
 * GRU and LSTM layers run the sequence kernels where the backend has them (`routeGruLayers`, `routeLstmLayers`). The caller owns it.
 */
export function buildLayersModel(arch: LayersModelArch, { seed, name }: BuildLayersModelOptions): tf.LayersModel {
  const config = structuredClone(arch.config) as Record<string, unknown>;
  let n = 0;
  seedInitializers(config, () => seed * 1009 + n++);
  routeGruLayers();
  routeLstmLayers();
  if (name !== undefined) config.name = name;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[arch.className];
  if (entry === undefined)
    throw new ConfigError('buildLayersModel', 'arch.className', `must be a registered tfjs-layers model class, got '${arch.className}'`);
  const [cls, fromConfig] = entry;
  const model = fromConfig(cls, config as tf.serialization.ConfigDict) as unknown as tf.LayersModel;
  const w = arch.weights;
  if (w !== undefined) {
    const bad =
      w.length !== model.weights.length
        ? `${w.length} weights for a model with ${model.weights.length}`
        : model.weights.findIndex((v, i) => v.shape.join(',') !== w[i]!.shape.join(',')) >= 0
          ? 'weights whose shapes do not match the topology'
          : undefined;
    if (bad !== undefined) {
      model.dispose();
      throw new ConfigError('buildLayersModel', 'arch.weights', `${arch.source}: ${bad}`);
    }
    model.weights.forEach((v, i) => {
      const t = tf.tensor(w[i]!.values, w[i]!.shape, w[i]!.dtype);
      v.write(t);
      t.dispose();
    });
  }
  return model;
}
