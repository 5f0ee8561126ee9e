/**
 * The one TensorFlow.js namespace the library uses, re-exported from the package root as `tf`.
 * Users and tests make tensors with it so that they share the library's engine instance.
 * tfjs-core (ops, gradients, optimizers) + tfjs-layers (models, layers, save/load) + the plain
 * `cpu` backend, which is always available and is the reference the other backends are tested on.
 */
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { registerChainedOps } from './ops/register-chained-ops.js';

// t.flatten(), t.add(u), ...: tfjs-layers needs them (the recurrent layers' orthogonal initializer)
registerChainedOps();
