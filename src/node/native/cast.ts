/**
 * Cast of bool and int32 tensors to float32 into a real Float32Array. The cpu backend's Cast keeps
 * the source array (a Uint8Array or Int32Array) under the float32 tensor, which no native kernel
 * reads: every op on it then runs the cpu backend's JavaScript. That hit each training step: the
 * gradient of Max (in `tf.logSumExp`: the project's losses now take `logSumExp` of
 * src/ops/log-sum-exp.ts, which skips it, but users' code and tf.losses do not) is
 * `dy * cast(equal(x, max))`, a broadcast Multiply of the batch's full logits matrix, 30 to 100 ms
 * in JavaScript against well under 1 ms natively.
 */
import * as tf from '../../tf.js';
import { alloc, nativeKernel, output, sizeOf } from './kernel-utils.js';

export function castKernels(): tf.KernelConfig[] {
  return [
    nativeKernel('Cast', ({ inputs, attrs }, backend) => {
      const { x } = inputs as Record<string, tf.TensorInfo>;
      const { dtype } = attrs as unknown as { dtype: tf.DataType };
      if (dtype !== 'float32' || (x!.dtype !== 'bool' && x!.dtype !== 'int32')) return undefined;
      const src = backend.data.get(x!.dataId)?.values;
      if (!(src instanceof Uint8Array) && !(src instanceof Int32Array)) return undefined;
      const n = sizeOf(x!.shape);
      if (src.length !== n) return undefined;
      const out = alloc(n);
      out.set(src); // converts each element to float32
      return output(backend, [...x!.shape], out);
    }),
  ];
}
