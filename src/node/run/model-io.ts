/**
 * Saves and loads tfjs-layers models as TensorFlow.js `model.json` + `weights.bin` in a folder,
 * the layout `tf.loadLayersModel('file://...')` of tfjs-node and browsers' `http` loader read.
 * Both files are written atomically.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '../../tf.js';
import { DataError } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isDim = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
/** tfjs-layers' tensor-name rule: a layer whose name breaks it throws after its initializers ran, leaking their tensors. */
const TENSOR_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/**
 * Checks a layers-model topology before tfjs-layers builds it: every layer a registered class
 * with a config and a string name, every inbound node naming a layer declared before it. tfjs
 * loops forever on a node whose inbound layer never appears (a number for a name, a cycle).
 * Returns a problem, or undefined.
 */
export function topologyProblem(t: unknown, depth = 0): string | undefined {
  if (depth > 16) return 'nests models more than 16 deep';
  if (!isObj(t) || typeof t.class_name !== 'string') return 'modelTopology must be an object with a class_name';
  const cfg = t.config;
  const layers = Array.isArray(cfg) ? cfg : isObj(cfg) ? cfg.layers : undefined;
  if (!Array.isArray(layers)) return `${t.class_name}: config.layers must be an array`;
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
  // layer name -> its node count (an input layer makes one node; others one per inbound entry, plus one for a nested model)
  const seen = new Map<string, number>();
  for (const [i, l] of layers.entries()) {
    if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) return `layer ${i} must have a class_name and a config`;
    if (!known.has(l.class_name) && !['Sequential', 'Model', 'Functional'].includes(l.class_name))
      return `layer ${i}: unknown class ${JSON.stringify(l.class_name).slice(0, 40)}`;
    // a functional model wires its layers by `name` (not config.name): each must have one
    const name = t.class_name === 'Sequential' ? (l.name ?? l.config.name) : l.name;
    if ((name !== undefined || t.class_name !== 'Sequential') && typeof name !== 'string') return `layer ${i}: name must be a string`;
    if (l.config.name !== undefined && typeof l.config.name !== 'string') return `layer ${i}: config.name must be a string`;
    // the layer is built under config.name, and its weights are named after it
    if (typeof l.config.name === 'string' && !TENSOR_NAME.test(l.config.name))
      return `layer ${i}: name ${JSON.stringify(l.config.name).slice(0, 40)} is not a valid tensor name (letters, digits, - . _ /)`;
    if (['Sequential', 'Model', 'Functional'].includes(l.class_name)) {
      const inner = topologyProblem(l, depth + 1);
      if (inner !== undefined) return inner;
    }
    if (typeof name === 'string' && seen.has(name)) return `layer ${i}: name ${JSON.stringify(name).slice(0, 40)} is used twice`;
    // a functional layer other than an input is wired by at least one node of at least one input (tfjs waits forever otherwise)
    if (
      t.class_name !== 'Sequential' &&
      l.class_name !== 'InputLayer' &&
      (!Array.isArray(l.inbound_nodes) || l.inbound_nodes.length === 0 || l.inbound_nodes.some((n) => !Array.isArray(n) || n.length === 0))
    ) {
      return `layer ${i}: needs inbound nodes, each naming at least one input`;
    }
    if (l.inbound_nodes !== undefined) {
      if (!Array.isArray(l.inbound_nodes)) return `layer ${i}: inbound_nodes must be an array`;
      for (const node of l.inbound_nodes) {
        if (!Array.isArray(node)) return `layer ${i}: an inbound node must be an array`;
        for (const ref of node) {
          if (!Array.isArray(ref) || typeof ref[0] !== 'string' || !isDim(ref[1]) || !isDim(ref[2]))
            return `layer ${i}: an inbound reference must be [name, node, tensor]`;
          if (!seen.has(ref[0])) return `layer ${i}: inbound layer ${JSON.stringify(ref[0]).slice(0, 40)} is not declared before it`;
          if (ref[1] >= seen.get(ref[0])!) return `layer ${i}: inbound layer ${ref[0]} has no node ${ref[1]}`;
        }
      }
    }
    // a nested model keeps the node of its own construction at index 0, so its calls in this
    // model are numbered from 1 (e.g. CPC's encoder inside the saved encoder + pooling model)
    const nested = ['Sequential', 'Model', 'Functional'].includes(l.class_name) ? 1 : 0;
    if (typeof name === 'string') seen.set(name, Math.max(1, (Array.isArray(l.inbound_nodes) ? l.inbound_nodes.length : 0) + nested));
  }
  if (isObj(cfg)) {
    for (const key of ['input_layers', 'output_layers']) {
      const refs = cfg[key];
      if (refs === undefined) continue;
      if (
        !Array.isArray(refs) ||
        !refs.every(
          (r) => Array.isArray(r) && typeof r[0] === 'string' && seen.has(r[0]) && isDim(r[1]) && r[1] < seen.get(r[0])! && isDim(r[2]),
        )
      )
        return `config.${key} must name declared layers`;
    }
  }
  return undefined;
}

/** An IO handler that writes `model.json` and `weights.bin` into `dir` (created if missing). */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      await mkdir(dir, { recursive: true });
      const weights =
        artifacts.weightData === undefined
          ? new Uint8Array(0)
          : new Uint8Array(
              tf.io.concatenateArrayBuffers(Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]),
            );
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFileAtomic(join(dir, 'weights.bin'), weights);
      await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
  };
}

/** An IO handler that reads a `model.json` (+ its weight files) from `dir`, for `tf.loadLayersModel`. */
export function fileLoadHandler(dir: string, file = 'model.json'): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const path = join(dir, file);
      let json: { modelTopology?: object; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
      try {
        json = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        throw new DataError('loadModel', path, `is missing or not JSON (${(err as Error).message.split('\n')[0]})`);
      }
      if (json === null || typeof json !== 'object' || json.modelTopology === undefined || !Array.isArray(json.weightsManifest)) {
        throw new DataError('loadModel', path, 'has no modelTopology or weightsManifest');
      }
      const problem = topologyProblem(json.modelTopology);
      if (problem !== undefined) throw new DataError('loadModel', path, `has a corrupt topology: ${problem}`);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest as unknown[]) {
        if (
          !isObj(group) ||
          !Array.isArray(group.paths) ||
          !group.paths.every((p) => typeof p === 'string') ||
          !Array.isArray(group.weights)
        ) {
          throw new DataError('loadModel', path, 'has a weightsManifest group without paths and weights');
        }
        for (const w of group.weights as unknown[]) {
          if (
            !isObj(w) ||
            typeof w.name !== 'string' ||
            (w.dtype !== 'float32' && w.dtype !== 'int32') ||
            !Array.isArray(w.shape) ||
            !w.shape.every(isDim)
          ) {
            throw new DataError('loadModel', path, `has a corrupt weight entry ${JSON.stringify(w).slice(0, 80)}`);
          }
        }
        specs.push(...(group.weights as tf.io.WeightsManifestEntry[]));
        for (const p of group.paths as string[]) {
          const b = await readFile(join(dir, p)).catch((err: Error) => {
            throw new DataError('loadModel', join(dir, p), `could not be read (${err.message.split('\n')[0]})`);
          });
          buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        }
      }
      const weightData = tf.io.concatenateArrayBuffers(buffers);
      const need = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
      if (weightData.byteLength !== need) {
        throw new DataError(
          'loadModel',
          join(dir, 'weights.bin'),
          `must hold ${need} bytes for the manifest's weights, got ${weightData.byteLength}`,
        );
      }
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData };
    },
  };
}

/** Saves `model` into `dir` as model.json + weights.bin. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

/**
 * A model built from a topology alone (its initializers' weights), checked first by
 * `topologyProblem`. A topology tfjs refuses is a DataError naming `file` and leaks nothing.
 */
export async function modelFromTopology(topology: object, file: string): Promise<tf.LayersModel> {
  const problem = topologyProblem(topology);
  if (problem !== undefined) throw new DataError('loadModel', file, `has a corrupt topology: ${problem}`);
  const before = new Set(Object.keys(tf.engine().state.registeredVariables));
  try {
    return await tf.loadLayersModel({ load: async () => ({ modelTopology: topology }) });
  } catch (err) {
    // a model partly built and then refused leaves its variables behind
    for (const [name, v] of Object.entries(tf.engine().state.registeredVariables)) if (!before.has(name)) v.dispose();
    throw new DataError('loadModel', file, `is not a loadable TF.js layers model (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Loads a model saved by `saveModel` (or any TF.js layers model folder; `name`: its model.json's file name). Corrupt files are DataErrors and leak nothing. */
export async function loadModel(dir: string, name = 'model.json'): Promise<tf.LayersModel> {
  const file = join(dir, name);
  const artifacts = await fileLoadHandler(dir, name).load!();
  const before = new Set(Object.keys(tf.engine().state.registeredVariables));
  // build from the topology alone: tfjs' own weight loading leaks its decoded tensors when they do not fit
  const model = await modelFromTopology(artifacts.modelTopology!, file);
  const specs = artifacts.weightSpecs ?? [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const problem =
    specs.length !== model.weights.length || byName.size !== specs.length
      ? `lists ${specs.length} weights, the model has ${model.weights.length}`
      : model.weights
          .map((w) =>
            byName.get(w.originalName) === undefined
              ? `has no weight ${w.originalName}`
              : byName.get(w.originalName)!.shape.join(',') !== w.shape.join(',')
                ? `weight ${w.originalName} has shape [${byName.get(w.originalName)!.shape}], the model needs [${w.shape}]`
                : undefined,
          )
          .find((p) => p !== undefined);
  if (problem !== undefined) {
    model.dispose();
    // variables the model does not own any more (a renamed layer's) but tfjs still registers
    for (const [name, v] of Object.entries(tf.engine().state.registeredVariables)) if (!before.has(name)) v.dispose();
    throw new DataError('loadModel', file, problem);
  }
  const tensors = tf.io.decodeWeights(artifacts.weightData!, specs);
  try {
    for (const w of model.weights) w.write(tensors[w.originalName]!);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return model;
}
