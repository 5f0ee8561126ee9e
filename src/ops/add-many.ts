/**
 * `addMany`: the sum of any number of same-shape tensors, in groups of at most 7 inputs per
 * `tf.addN`. One `tf.addN` would do on every backend but WebGPU: tfjs-backend-webgpu 4.22 binds
 * each input of its AddN shader as a storage buffer, and a shader stage gets 8 by default
 * (`maxStorageBuffersPerShaderStage`, the output takes one). Past 7 inputs the pipeline is
 * invalid, the browser logs a validation error and the result is garbage, with no JavaScript
 * error: the optimizer's global gradient norm over a model's 10 weights made the page's SimCLR
 * stop learning on WebGPU (found on an NVIDIA H200, bench/web-backends.ts).
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';

/** Inputs per `tf.addN`: WebGPU's default storage buffers per shader stage (8) less the output's. */
export const ADD_N_MAX_INPUTS = 7;

/** The element-wise sum of `tensors` (at least one, all of one shape and dtype). The caller owns the result. */
export function addMany<T extends tf.Tensor>(tensors: readonly T[]): T {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ConfigError(
      'addMany',
      'tensors',
      `must be a non-empty array of tensors, got ${Array.isArray(tensors) ? 'an empty array' : typeof tensors}`,
    );
  }
  return tf.tidy(() => {
    let level: tf.Tensor[] = [...tensors];
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < level.length; i += ADD_N_MAX_INPUTS) {
        const group = level.slice(i, i + ADD_N_MAX_INPUTS);
        next.push(group.length === 1 ? group[0]! : tf.addN(group));
      }
      level = next;
    }
    return level[0] === tensors[0] ? tf.clone(level[0]) : level[0]!;
  }) as T;
}
