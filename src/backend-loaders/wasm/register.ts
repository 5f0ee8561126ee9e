/**
 * Registers the project's training kernels for the `wasm` backend, replacing the shipped ones
 * where they are missing (Conv2DBackpropFilter, the project's one-op BatchNorm) or slow (the others).
 * Idempotent.
 */
import * as tf from '../../tf.js';
import { captureStock, type BackendWasm } from './kernel-utils.js';
import { conv2D } from './conv2d.js';
import { fusedConv2D } from './fused-conv2d.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { batchMatMul, fusedMatMul } from './batch-mat-mul.js';
import { tile } from './tile.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { sum, mean } from './sum.js';
import { identity, cast } from './identity.js';
import { batchNormTrain, batchNormTrainGrad } from './batch-norm-train.js';
import { BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL } from '../../models/batch-norm.js';

type Kernel = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: BackendWasm }) => tf.TensorInfo | tf.TensorInfo[];

/** The kernels the project registers for wasm, by kernel name. */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, Kernel>> = {
  [tf.Conv2D]: conv2D,
  [tf.FusedConv2D]: fusedConv2D,
  [tf.Conv2DBackpropFilter]: conv2DBackpropFilter,
  [tf.Conv2DBackpropInput]: conv2DBackpropInput,
  [tf.BatchMatMul]: batchMatMul,
  [tf._FusedMatMul]: fusedMatMul,
  [tf.Tile]: tile,
  [tf.MaxPoolGrad]: maxPoolGrad,
  [tf.Sum]: sum,
  [tf.Mean]: mean,
  [tf.Identity]: identity,
  [tf.Cast]: cast,
  [BATCH_NORM_TRAIN_KERNEL]: batchNormTrain,
  [BATCH_NORM_TRAIN_GRAD_KERNEL]: batchNormTrainGrad,
};

let registered = false;

/** Registers (once) the kernels of `WASM_TRAINING_KERNELS` for 'wasm'. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  for (const [name, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
    const stock = captureStock(name);
    if (stock !== undefined) tf.unregisterKernel(name, 'wasm');
    // keep the shipped setupFunc: a replacement may call the shipped kernel, which needs it
    const config: tf.KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
    if (stock?.setupFunc !== undefined) config.setupFunc = stock.setupFunc;
    tf.registerKernel(config);
  }
}
