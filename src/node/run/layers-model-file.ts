/**
 * A user's tfjs LayersModel file as an encoder (`pretrain --arch my/model.json`): the model.json
 * that `model.save('file://dir')` writes (weights.bin beside it; without weights the topology's
 * initializers start the run), or a topology alone (`{ modelTopology }` or `model.toJSON()`'s
 * object). Reading is two steps so that a bad file is one line before the backend starts:
 * `readLayersModelFile` parses and checks the JSON (no tensor), `loadLayersModelArch` builds the
 * model once and keeps its config, shapes and weights as plain data (src/models/layers-model-arch.ts).
 * The run folder keeps a copy of the topology (`writeLayersModelTopology`, run-folder's `arch.json`)
 * so that resume rebuilds the encoder without the user's file.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import * as tf from '../../tf.js';
import { ConfigError } from '../../errors.js';
import type { LayersModelArch } from '../../models/layers-model-arch.js';
import { loadModel, modelFromTopology, topologyProblem } from './model-io.js';
import { writeFileAtomic } from './atomic-write.js';

/** A parsed, checked model.json. */
export interface LayersModelFile {
  /** Absolute path of the file. */
  path: string;
  /** The Keras-style topology (`modelTopology`). */
  topology: Record<string, unknown>;
  /** The file's weightsManifest lists weights (read from the files it names). */
  hasWeights: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads and checks `path`: it exists, is JSON, and holds a tfjs LayersModel topology. Throws a
 * ConfigError naming `arg` with the problem (no tensor is made).
 */
export async function readLayersModelFile(path: string, fn = 'pretrain', arg = '--arch'): Promise<LayersModelFile> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      fn,
      arg,
      code === 'ENOENT' ? `${path} does not exist` : `${path} could not be read (${(err as Error).message.split('\n')[0]})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(fn, arg, `${path} is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObj(json)) throw new ConfigError(fn, arg, `${path} is not a tfjs LayersModel model.json: it holds no JSON object`);
  if (json.format === 'graph-model')
    throw new ConfigError(
      fn,
      arg,
      `${path} is a graph model (tfjs-converter output), which has no layers to train: give the model.json a tf.LayersModel's model.save('file://...') writes`,
    );
  let topology = isObj(json.modelTopology) ? json.modelTopology : typeof json.class_name === 'string' ? json : undefined;
  if (topology !== undefined && isObj(topology.model_config)) topology = topology.model_config; // Keras' converter nests it
  if (topology === undefined) throw new ConfigError(fn, arg, `${path} is not a tfjs LayersModel model.json: it has no modelTopology`);
  const problem = topologyProblem(topology);
  if (problem !== undefined) throw new ConfigError(fn, arg, `${path} is not a tfjs LayersModel topology: ${problem}`);
  const manifest = json.weightsManifest;
  const hasWeights = Array.isArray(manifest) && manifest.some((g) => isObj(g) && Array.isArray(g.weights) && g.weights.length > 0);
  return { path: abs, topology, hasWeights };
}

/**
 * Builds the model of `file` once (with its weights when it has them) and returns it as plain
 * data. A topology tfjs cannot build, or weights that do not fit it, is a DataError naming the file.
 */
export async function loadLayersModelArch(file: LayersModelFile, source: string = file.path): Promise<LayersModelArch> {
  const model = file.hasWeights
    ? await loadModel(dirname(file.path), basename(file.path))
    : await modelFromTopology(file.topology, file.path);
  try {
    return {
      source,
      className: model.getClassName(),
      config: JSON.parse(JSON.stringify(model.getConfig())) as tf.serialization.ConfigDict,
      inputShape: model.inputs[0]!.shape.slice(1),
      inputCount: model.inputs.length,
      outputShapes: model.outputs.map((o) => [...o.shape]),
      ...(file.hasWeights
        ? {
            weights: model.weights.map((w) => ({
              shape: w.shape as number[],
              dtype: w.dtype as 'float32' | 'int32',
              values: w.read().dataSync().slice() as Float32Array | Int32Array,
            })),
          }
        : {}),
    };
  } finally {
    model.dispose();
  }
}

/** Writes `file`'s topology (no weights) to `dest` as a model.json, atomically: the run's own copy. */
export async function writeLayersModelTopology(dest: string, file: LayersModelFile): Promise<void> {
  const json = {
    format: 'layers-model',
    generatedBy: `contrastive (topology of ${file.path})`,
    convertedBy: null,
    modelTopology: file.topology,
    weightsManifest: [],
  };
  await writeFileAtomic(dest, JSON.stringify(json) + '\n');
}
