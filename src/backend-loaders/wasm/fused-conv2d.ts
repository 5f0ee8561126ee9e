/**
 * FusedConv2D for wasm (a convolution with a bias and an activation: tfjs-layers' Conv2D with
 * `useBias` or an activation): where `conv2D` would take Winograd (conv2d.ts), the convolution by
 * Winograd and then the bias and the activation by the shipped kernels; everything else, and the
 * activations with parameters (PReLU, leaky ReLU), by the shipped fused kernel.
 */
import * as tf from '../../tf.js';
import { callStock, disposeInfo, type KernelArgs, type TensorInfo } from './kernel-utils.js';
import { winogradConvolution } from './conv2d.js';

/** Activations applied after a Winograd convolution, by the shipped kernel of that name. */
const ACTIVATION_KERNELS: Readonly<Record<string, string | null>> = {
  linear: null,
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
};

export function fusedConv2D({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
  const a = attrs as unknown as tf.FusedConv2DAttrs;
  const activation = ACTIVATION_KERNELS[a.activation ?? 'linear'];
  const canFinish = activation !== undefined && (bias === undefined || bias.shape.length <= 1);
  const y = canFinish ? winogradConvolution(backend, x, filter, a) : undefined;
  if (y === undefined) return callStock('FusedConv2D', backend, inputs, attrs);
  let out = y;
  if (bias !== undefined) {
    out = callStock('Add', backend, { a: y, b: bias }, {});
    disposeInfo(backend, y);
  }
  if (activation !== null) {
    const act = callStock(activation!, backend, { x: out }, {});
    disposeInfo(backend, out);
    out = act;
  }
  return out;
}
