/**
 * Identity, and Cast to the same dtype, without a copy: the output shares the input's data (as
 * Reshape does, reference-counted). The shipped kernels copy, and tfjs-layers and tfjs-core's
 * gradients call them on every activation (`cast(x, 'float32')`, `step` in ReLU's gradient, ...):
 * a training step spent ~1/4 of its peak heap on these copies.
 */
import * as tf from '../../tf.js';
import { callStock, type KernelArgs, type TensorInfo } from './kernel-utils.js';

function alias(backend: KernelArgs['backend'], x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identity({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const x = inputs.x as TensorInfo;
  if (x.dtype === 'string') return callStock(tf.Identity, backend, inputs, attrs);
  return alias(backend, x);
}

export function cast({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const x = inputs.x as TensorInfo;
  const { dtype } = attrs as unknown as tf.CastAttrs;
  if (x.dtype === dtype && dtype !== 'string') return alias(backend, x);
  return callStock(tf.Cast, backend, inputs, attrs);
}
