/**
 * TensorFlow.js's chained tensor methods (`t.flatten()`, `t.reshape(s)`, `t.add(u)`, ... 127 of
 * them), which the tfjs-core package entry leaves out: tfjs-core registers them in a side-effect
 * module (`public/chained_ops/register_all_chained_ops`) that only the `@tensorflow/tfjs` union
 * package imports, and that Node cannot import from tfjs-core's ESM build. tfjs-layers calls
 * them: without them the orthogonal initializer, the default recurrent initializer of
 * `tf.layers.gru`, `lstm` and `simpleRNN`, fails with "rMat.flatten is not a function", and so does
 * a user's code written against the union package. Each method is the op of the same name applied
 * to `this` (the definitions of tfjs-core's chained_ops, one line each); a method already
 * present is left as it is. `src/tf.ts` calls it once, so every user of the library's `tf` has them.
 */
import * as core from '@tensorflow/tfjs-core';

/** Methods whose chained form is `op(this, ...args)`, for the op of the same name. */
const SAME_NAME = [
  'abs',
  'acos',
  'acosh',
  'add',
  'all',
  'any',
  'argMax',
  'argMin',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'batchToSpaceND',
  'batchNorm',
  'broadcastTo',
  'cast',
  'ceil',
  'clipByValue',
  'conv1d',
  'conv2d',
  'cos',
  'cosh',
  'cumprod',
  'cumsum',
  'depthToSpace',
  'div',
  'divNoNan',
  'dot',
  'elu',
  'equal',
  'erf',
  'euclideanNorm',
  'exp',
  'expandDims',
  'expm1',
  'fft',
  'floor',
  'floorDiv',
  'gather',
  'greater',
  'greaterEqual',
  'ifft',
  'irfft',
  'isFinite',
  'isInf',
  'isNaN',
  'leakyRelu',
  'less',
  'lessEqual',
  'log',
  'log1p',
  'logSigmoid',
  'logSoftmax',
  'logSumExp',
  'logicalAnd',
  'logicalNot',
  'logicalOr',
  'logicalXor',
  'matMul',
  'max',
  'maximum',
  'mean',
  'min',
  'minimum',
  'mirrorPad',
  'mod',
  'mul',
  'neg',
  'norm',
  'notEqual',
  'onesLike',
  'pad',
  'pool',
  'pow',
  'prelu',
  'prod',
  'reciprocal',
  'relu',
  'relu6',
  'reshape',
  'reverse',
  'rfft',
  'round',
  'rsqrt',
  'selu',
  'sigmoid',
  'sign',
  'sin',
  'sinh',
  'slice',
  'softmax',
  'softplus',
  'spaceToBatchND',
  'split',
  'sqrt',
  'square',
  'squaredDifference',
  'squeeze',
  'step',
  'stridedSlice',
  'sub',
  'sum',
  'tan',
  'tanh',
  'tile',
  'topk',
  'transpose',
  'unique',
  'unstack',
  'zerosLike',
] as const;

type Method = (this: core.Tensor, ...args: never[]) => unknown;

/** The methods whose chained form is not the op of the same name on `this`. */
const OTHERS: Record<string, Method> = {
  as1D(this: core.Tensor) {
    return core.reshape(this, [this.size]);
  },
  as2D(this: core.Tensor, rows: number, columns: number) {
    return core.reshape(this, [rows, columns]);
  },
  as3D(this: core.Tensor, rows: number, columns: number, depth: number) {
    return core.reshape(this, [rows, columns, depth]);
  },
  as4D(this: core.Tensor, rows: number, columns: number, depth: number, depth2: number) {
    return core.reshape(this, [rows, columns, depth, depth2]);
  },
  as5D(this: core.Tensor, rows: number, columns: number, depth: number, depth2: number, depth3: number) {
    return core.reshape(this, [rows, columns, depth, depth2, depth3]);
  },
  asScalar(this: core.Tensor) {
    return core.reshape(this, []);
  },
  asType(this: core.Tensor, dtype: core.DataType) {
    return core.cast(this, dtype);
  },
  toBool(this: core.Tensor) {
    return core.cast(this, 'bool');
  },
  toFloat(this: core.Tensor) {
    return core.cast(this, 'float32');
  },
  toInt(this: core.Tensor) {
    return core.cast(this, 'int32');
  },
  flatten(this: core.Tensor) {
    return core.reshape(this, [this.size]);
  },
  reshapeAs(this: core.Tensor, x: core.Tensor) {
    return core.reshape(this, x.shape);
  },
  concat(this: core.Tensor, x: core.Tensor | core.Tensor[], axis?: number) {
    return core.concat([this, ...(x instanceof core.Tensor ? [x] : x)], axis);
  },
  stack(this: core.Tensor, x: core.Tensor | core.Tensor[], axis?: number) {
    return core.stack([this, ...(x instanceof core.Tensor ? [x] : x)], axis);
  },
  where(this: core.Tensor, condition: core.Tensor, x: core.Tensor) {
    return core.where(condition, this, x);
  },
  oneHot(this: core.Tensor, depth: number, onValue = 1, offValue = 0) {
    return core.oneHot(this as core.Tensor1D, depth, onValue, offValue);
  },
};

/** Names of every chained method this module provides. */
export const CHAINED_OPS: readonly string[] = [...SAME_NAME, ...Object.keys(OTHERS)];

/** Adds the chained methods that `Tensor.prototype` lacks; returns how many it added. Idempotent. */
export function registerChainedOps(): number {
  const proto = core.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = core as unknown as Record<string, (...args: unknown[]) => unknown>;
  let added = 0;
  const define = (name: string, fn: Method): void => {
    if (typeof proto[name] === 'function') return;
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
    added++;
  };
  for (const name of SAME_NAME) {
    const op = ops[name];
    if (typeof op !== 'function') continue; // not in this tfjs-core version
    define(name, function (this: core.Tensor, ...args: unknown[]) {
      return op(this, ...args);
    } as Method);
  }
  for (const [name, fn] of Object.entries(OTHERS)) define(name, fn);
  return added;
}
