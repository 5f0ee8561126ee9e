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

/** An IO handler that writes `model.json` and `weights.bin` into `dir` (created if missing). */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      await mkdir(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.concatenateArrayBuffers(Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]));
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
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const path = join(dir, 'model.json');
      let json: { modelTopology?: object; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
      try {
        json = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        throw new DataError('loadModel', path, `is missing or not JSON (${(err as Error).message.split('\n')[0]})`);
      }
      if (json === null || typeof json !== 'object' || json.modelTopology === undefined || !Array.isArray(json.weightsManifest)) {
        throw new DataError('loadModel', path, 'has no modelTopology or weightsManifest');
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const b = await readFile(join(dir, p)).catch((err: Error) => {
            throw new DataError('loadModel', join(dir, p), `could not be read (${err.message.split('\n')[0]})`);
          });
          buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        }
      }
      const weightData = tf.io.concatenateArrayBuffers(buffers);
      const need = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
      if (weightData.byteLength !== need) {
        throw new DataError('loadModel', join(dir, 'weights.bin'), `must hold ${need} bytes for the manifest's weights, got ${weightData.byteLength}`);
      }
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData };
    },
  };
}

/** Saves `model` into `dir` as model.json + weights.bin. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

/** Loads a model saved by `saveModel` (or any TF.js layers model folder). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(dir));
}
