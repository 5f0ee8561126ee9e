/**
 * The `native` TensorFlow.js backend: the CPU backend's class and storage, every cpu kernel
 * registered again under `native`, and the kernels that dominate training replaced by the
 * addon's (oneDNN convolutions and depthwise convolutions, OpenBLAS GEMM, pooling, batch norm, GRU sequences, element-wise,
 * reductions).
 * Native and JavaScript kernels share one typed-array storage: nothing is copied between them.
 */
import * as tf from '../../tf.js';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { availableParallelism, totalmem } from 'node:os';
import { loadAddon, nativeStatus, type NativeAddon } from './addon.js';
import { BufferPool } from './buffer-pool.js';
import { NATIVE, setPooledAllocator } from './kernel-utils.js';
import { convKernels } from './conv.js';
import { depthwiseKernels } from './depthwise.js';
import { clipKernels, registerClipGradients } from './clip.js';
import { castKernels } from './cast.js';
import { matMulKernels } from './matmul.js';
import { poolKernels } from './pool.js';
import { elementwiseKernels } from './elementwise.js';
import { stridedCopyKernels } from './strided-copy.js';
import { reduceKernels } from './reduce.js';
import { batchNormKernels } from './batchnorm.js';
import { gruKernels } from './gru.js';
import { lstmKernels } from './lstm.js';
import { gradientKernels, registerNativeGradients } from './gradients.js';
import { dropPendingEntry, isPendingEntry, setLazyChannelRuntime } from './lazy-channel.js';
import { dropDeferredEntry, isDeferredEntry, setDeferredRuntime } from './deferred.js';

/**
 * The buffer pool's default cap: a quarter of the machine's memory, at least 1 GiB and at most
 * 8 GiB. A training step's transient buffers must all fit for the next step to find them again:
 * with 1 GiB, the tfjs-layers MobileNet of bench/step (batch 256, peak RSS 2 GB) fell back to fresh
 * allocations, whose page faults made its step 5x slower on this VM (BENCHMARKS.md, "The buffer
 * pool's cap").
 */
export function defaultPoolBytes(total: number = totalmem()): number {
  const GiB = 2 ** 30;
  return Math.min(8 * GiB, Math.max(GiB, Math.floor(total / 4)));
}

const poolMb = Number(process.env.CONTRASTIVE_NATIVE_POOL_MB);

/** Output buffers of native kernels, reused after their tensors are disposed (see buffer-pool.ts). */
export const pool = new BufferPool(Number.isFinite(poolMb) && poolMb >= 0 ? poolMb * 2 ** 20 : defaultPoolBytes());

/** The CPU backend, telling the pool when buffers are stored, read out and disposed. */
class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // The CPU backend prints a banner advising tfjs-node on its first write in Node; this backend
    // is the native one, so that advice does not apply (the field is private in the typings).
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    pool.onWrite(values);
    return super.write(values, shape, dtype);
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const v = super.readSync(dataId);
    pool.onRead(v);
    return v;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const entry = this.data.get(dataId);
    const lazy = isPendingEntry(entry); // an unevaluated lazy tensor: reading values would evaluate it
    const deferred = isDeferredEntry(entry); // likewise a deferred output (deferred.ts)
    const values = lazy || deferred ? undefined : entry?.values;
    const done = super.disposeData(dataId, force);
    if (!this.data.has(dataId)) {
      if (lazy) dropPendingEntry(entry!);
      else if (deferred) dropDeferredEntry(entry!);
      else if (values !== undefined) pool.onDispose(values);
    }
    return done;
  }
}

/** Names of the kernels the addon runs (the rest are the cpu backend's). */
export const NATIVE_KERNELS: string[] = [];

let registered = false;

/** All native kernel configs for `addon`. */
export function nativeKernelConfigs(addon: NativeAddon): tf.KernelConfig[] {
  return [...convKernels(addon), ...depthwiseKernels(addon), ...matMulKernels(addon), ...poolKernels(addon), ...elementwiseKernels(addon),
    ...reduceKernels(addon), ...batchNormKernels(addon), ...gruKernels(addon), ...lstmKernels(addon), ...gradientKernels(addon), ...stridedCopyKernels(addon),
    ...clipKernels(addon), ...castKernels()];
}

/**
 * Registers the `native` backend with tf (once). `threads` defaults to
 * `CONTRASTIVE_NATIVE_THREADS` or the machine's available parallelism. Large outputs come from
 * a pool of reused buffers unless `CONTRASTIVE_NATIVE_POOL=0` (cap: `CONTRASTIVE_NATIVE_POOL_MB`, else
 * `defaultPoolBytes()`).
 * @throws Error with the one-line reason when the addon is not available.
 */
export function registerNativeBackend(threads?: number): NativeAddon {
  const addon = loadAddon();
  if (addon === undefined) throw new Error(nativeStatus().reason ?? 'native addon not loaded');
  if (registered) return addon;
  const envThreads = Number(process.env.CONTRASTIVE_NATIVE_THREADS);
  addon.setThreads(threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism()));
  if (process.env.CONTRASTIVE_NATIVE_POOL !== '0') setPooledAllocator((n) => pool.take(n));
  const bufferHooks = { pin: (a: Float32Array) => pool.pin(a), unpin: (a: Float32Array) => pool.unpin(a), adopt: (a: Float32Array) => pool.onWrite(a) };
  setLazyChannelRuntime(addon, bufferHooks);
  setDeferredRuntime(bufferHooks);
  tf.registerBackend(NATIVE, () => new NativeBackend(), 0);
  for (const k of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...k, backendName: NATIVE });
  }
  for (const k of nativeKernelConfigs(addon)) {
    if (tf.getKernel(k.kernelName, NATIVE) !== undefined) tf.unregisterKernel(k.kernelName, NATIVE);
    tf.registerKernel(k);
    NATIVE_KERNELS.push(k.kernelName);
  }
  registerNativeGradients();
  registerClipGradients();
  registered = true;
  return addon;
}
