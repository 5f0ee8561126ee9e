/**
 * What every native kernel shares: the CPU backend's storage (read in place), output buffers,
 * and the plain cpu kernel as the fallback for cases the addon does not cover.
 */
import * as tf from '../../tf.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { ShapeError } from '../../errors.js';
import { formatShape } from '../../validate.js';

export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type TensorInfo = tf.TensorInfo;

/** The backend name every native kernel registers under. */
export const NATIVE = 'native';

/** The float32 values of `t` in the CPU backend's storage, without copying; undefined if not float32. */
export function values(backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const v = backend.data.get(t.dataId)?.values;
  return v instanceof Float32Array ? v : undefined;
}

let pooled: ((n: number) => Float32Array) | undefined;

/** Routes large output buffers through the backend's buffer pool. */
export function setPooledAllocator(fn: ((n: number) => Float32Array) | undefined): void {
  pooled = fn;
}

/** Below this many floats a plain Float32Array is cheaper than a call into the addon. */
const POOL_MIN = 16384;

/** An output buffer of n floats (not zeroed when pooled: every kernel writes all of it). */
export function alloc(n: number): Float32Array {
  return pooled !== undefined && n >= POOL_MIN ? pooled(n) : new Float32Array(n);
}

/** Wraps `values` as a tensor of the CPU backend's storage (no copy). */
export function output(backend: MathBackendCPU, shape: number[], data: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', data);
}

/** The `cpu` backend's kernel for `name`, run when the native one does not apply. */
export function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (k === undefined) throw new Error(`native backend: cpu kernel '${name}' not registered`);
  return k.kernelFunc;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws the typed error for a shape a native kernel cannot take (checked before the native call). */
export function shapeError(kernel: string, arg: string, expected: string, got: readonly number[]): never {
  throw new ShapeError(`native ${kernel}`, arg, `must ${expected}, got ${formatShape(got)}`);
}

/**
 * A native kernel config: `run` returns the output, or undefined to hand the call to the cpu
 * kernel (dtypes other than float32, layouts or options the addon does not cover).
 */
export function nativeKernel(name: string, run: (args: KernelArgs, backend: MathBackendCPU) => TensorInfo | TensorInfo[] | undefined,
  hasCpuKernel = true): tf.KernelConfig {
  const fallback = hasCpuKernel ? cpuKernel(name) : () => {
    throw new Error(`native ${name}: no fallback kernel`);
  };
  nativeCalls[name] = 0;
  return {
    kernelName: name,
    backendName: NATIVE,
    kernelFunc: (args) => {
      const out = run(args, args.backend as MathBackendCPU);
      if (out === undefined) return fallback(args);
      nativeCalls[name]!++;
      return out;
    },
  };
}

/** How many times each native kernel ran in the addon (not handed to the cpu kernel). */
export const nativeCalls: Record<string, number> = {};
