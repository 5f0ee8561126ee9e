/**
 * The `native` TensorFlow.js backend: the CPU backend's class and storage, every cpu kernel
 * registered again under `native`, and the kernels that dominate training replaced by the
 * addon's (oneDNN convolutions, OpenBLAS GEMM, pooling, batch norm, element-wise, reductions).
 * Native and JavaScript kernels share one typed-array storage: nothing is copied between them.
 */
import * as tf from '../../tf.js';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { availableParallelism } from 'node:os';
import { loadAddon, nativeStatus, type NativeAddon } from './addon.js';
import { NATIVE } from './kernel-utils.js';
import { convKernels } from './conv.js';
import { matMulKernels } from './matmul.js';
import { poolKernels } from './pool.js';
import { elementwiseKernels } from './elementwise.js';
import { reduceKernels } from './reduce.js';
import { batchNormKernels } from './batchnorm.js';

/** Names of the kernels the addon runs (the rest are the cpu backend's). */
export const NATIVE_KERNELS: string[] = [];

let registered = false;

/** All native kernel configs for `addon`. */
export function nativeKernelConfigs(addon: NativeAddon): tf.KernelConfig[] {
  return [...convKernels(addon), ...matMulKernels(addon), ...poolKernels(addon), ...elementwiseKernels(addon),
    ...reduceKernels(addon), ...batchNormKernels(addon)];
}

/**
 * Registers the `native` backend with tf (once). `threads` defaults to
 * `CONTRASTIVE_NATIVE_THREADS` or the machine's available parallelism.
 * @throws Error with the one-line reason when the addon is not available.
 */
export function registerNativeBackend(threads?: number): NativeAddon {
  const addon = loadAddon();
  if (addon === undefined) throw new Error(nativeStatus().reason ?? 'native addon not loaded');
  if (registered) return addon;
  const envThreads = Number(process.env.CONTRASTIVE_NATIVE_THREADS);
  addon.setThreads(threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism()));
  tf.registerBackend(NATIVE, () => new MathBackendCPU(), 0);
  for (const k of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...k, backendName: NATIVE });
  }
  for (const k of nativeKernelConfigs(addon)) {
    tf.unregisterKernel(k.kernelName, NATIVE);
    tf.registerKernel(k);
    NATIVE_KERNELS.push(k.kernelName);
  }
  registered = true;
  return addon;
}
