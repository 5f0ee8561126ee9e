/**
 * Element-wise kernels: broadcasting binary ops and comparisons, unary ops, AddN and Tile on float32
 * tensors. Add, Sub, Multiply with a per-channel operand, and Square and Neg of a lazy tensor,
 * return lazy per-channel terms (lazy-channel.ts) instead of writing the result; Relu's output is
 * deferred (deferred.ts).
 */
import * as tf from '../../tf.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, sizeOf, values } from './kernel-utils.js';
import { deferredTensor, DEFER_MIN } from './deferred.js';
import { addTerms, LAZY_MIN, lazyTensor, pendingTerm, perChannel, scaleTerm, shiftTerm, squareTerm, termOf } from './lazy-channel.js';

/** Binary op codes of native/elementwise.cc. */
const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 };

/** Comparison op codes of native/elementwise.cc (bool outputs, stored as Uint8Array like the cpu backend's). */
const COMPARE: Record<string, number> = { Equal: 0, NotEqual: 1, Greater: 2, GreaterEqual: 3, Less: 4, LessEqual: 5 };

/** Unary op codes of native/elementwise.cc; `alpha` names the attribute some of them take. */
const UNARY: Record<string, { code: number; alpha?: string; alphaDefault?: number }> = {
  Relu: { code: 0 }, Relu6: { code: 1 }, Exp: { code: 2 }, Log: { code: 3 }, Sqrt: { code: 4 }, Rsqrt: { code: 5 },
  Square: { code: 6 }, Neg: { code: 7 }, Abs: { code: 8 }, Sigmoid: { code: 9 }, Tanh: { code: 10 },
  Step: { code: 11, alpha: 'alpha', alphaDefault: 0 }, Reciprocal: { code: 12 },
  LeakyRelu: { code: 13, alpha: 'alpha', alphaDefault: 0.2 }, Elu: { code: 14 }, Log1p: { code: 15 }, Softplus: { code: 16 },
};

/** Row-major strides of `shape` aligned to the output's rank; broadcast axes get stride 0. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const r = outShape.length, off = r - shape.length;
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + off] = shape[i] === 1 && outShape[i + off] !== 1 ? 0 : s;
    s *= shape[i]!;
  }
  return strides;
}

/** Merges adjacent axes that are contiguous in both inputs and drops size-1 axes. */
export function collapse(outShape: readonly number[], sa: number[], sb: number[]): { shape: number[]; sa: number[]; sb: number[] } {
  const shape: number[] = [], a: number[] = [], b: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    const n = outShape[i]!;
    if (n === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && a[last] === sa[i]! * n && b[last] === sb[i]! * n) {
      shape[last] *= n;
      a[last] = sa[i]!;
      b[last] = sb[i]!;
    } else {
      shape.push(n);
      a.push(sa[i]!);
      b.push(sb[i]!);
    }
  }
  if (shape.length === 0) return { shape: [1], sa: [0], sb: [0] };
  return { shape, sa: a, sb: b };
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Add, Sub or Multiply as a lazy per-channel term (lazy-channel.ts), when the result stays one:
 * a full-size tensor with a per-channel one ([..., 1, C]; a scalar only when the full one is lazy
 * already), or two full-size tensors added or subtracted, one of them lazy. Else undefined.
 */
function lazyBinary(op: string, a: tf.TensorInfo, b: tf.TensorInfo, backend: MathBackendCPU): tf.TensorInfo | undefined {
  if (op !== 'Add' && op !== 'Sub' && op !== 'Multiply') return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  if (outShape.length === 0 || sizeOf(outShape) < LAZY_MIN) return undefined;
  const aFull = sameShape(a.shape, outShape), bFull = sameShape(b.shape, outShape);
  if (aFull && bFull) {
    if (op === 'Multiply' || (pendingTerm(backend, a) === undefined && pendingTerm(backend, b) === undefined)) return undefined;
    const ta = termOf(backend, a), tb = termOf(backend, b);
    const t = ta === undefined || tb === undefined ? undefined : addTerms(ta, tb, op === 'Sub' ? -1 : 1);
    return t === undefined ? undefined : lazyTensor(backend, outShape, t);
  }
  if (!aFull && !bFull) return undefined;
  const [full, small] = aFull ? [a, b] : [b, a];
  const p = perChannel(backend, small, outShape);
  if (p === undefined) return undefined;
  const isScalar = sizeOf(small.shape) === 1 && outShape[outShape.length - 1] !== 1;
  if (isScalar && pendingTerm(backend, full) === undefined) return undefined; // dense * scalar: the plain kernel
  const t = termOf(backend, full);
  if (t === undefined) return undefined;
  let r;
  if (op === 'Multiply') r = scaleTerm(t, p);
  else if (op === 'Add') r = shiftTerm(t, p, 1);
  else if (aFull) r = shiftTerm(t, p, -1);
  else {
    const neg = scaleTerm(t, -1);
    r = neg === undefined ? undefined : shiftTerm(neg, p, 1);
  }
  return r === undefined ? undefined : lazyTensor(backend, outShape, r);
}

export function elementwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  const binary = Object.entries(BINARY).map(([name, code]) => nativeKernel(name, ({ inputs }, backend) => {
    const { a, b } = inputs as Record<string, tf.TensorInfo>;
    const lazy = lazyBinary(name, a!, b!, backend);
    if (lazy !== undefined) return lazy;
    const av = values(backend, a!), bv = values(backend, b!);
    if (av === undefined || bv === undefined) return undefined;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    const out = alloc(sizeOf(outShape));
    if (out.length > 0) {
      const c = collapse(outShape, broadcastStrides(a!.shape, outShape), broadcastStrides(b!.shape, outShape));
      if (c.shape.length > 8) return undefined;
      addon.binary(code, av, bv, out, c.shape, c.sa, c.sb);
    }
    return output(backend, outShape, out);
  }));

  const compare = Object.entries(COMPARE).map(([name, code]) => nativeKernel(name, ({ inputs }, backend) => {
    const { a, b } = inputs as Record<string, tf.TensorInfo>;
    const av = values(backend, a!), bv = values(backend, b!);
    if (av === undefined || bv === undefined) return undefined;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    const out = new Uint8Array(sizeOf(outShape));
    if (out.length > 0) {
      const c = collapse(outShape, broadcastStrides(a!.shape, outShape), broadcastStrides(b!.shape, outShape));
      if (c.shape.length > 8) return undefined;
      addon.compare(code, av, bv, out, c.shape, c.sa, c.sb);
    }
    return backend.makeTensorInfo(outShape, 'bool', out);
  }));

  const unary = Object.entries(UNARY).map(([name, u]) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    const pend = name === 'Square' || name === 'Neg' ? pendingTerm(backend, x!) : undefined;
    const lazy = pend === undefined ? undefined : name === 'Square' ? squareTerm(pend) : scaleTerm(pend, -1);
    if (lazy !== undefined) return lazyTensor(backend, [...x!.shape], lazy);
    const xv = values(backend, x!);
    if (xv === undefined) return undefined;
    const alpha = u.alpha === undefined ? 0 : ((attrs as Record<string, number | undefined>)[u.alpha] ?? u.alphaDefault!);
    const n = sizeOf(x!.shape);
    if (name === 'Relu' && n >= DEFER_MIN) {
      // deferred (deferred.ts), tagged: ClipByValue of it reads x instead (tfjs-layers' ReLU with maxValue)
      const compute = (): Float32Array => {
        const out = alloc(n);
        addon.unary(u.code, xv, out, n, 0);
        return out;
      };
      return deferredTensor(backend, [...x!.shape], [xv], compute, { op: 'relu', x: xv });
    }
    const y = alloc(n);
    addon.unary(u.code, xv, y, n, alpha);
    return output(backend, [...x!.shape], y);
  }));

  const addN = nativeKernel('AddN', ({ inputs }, backend) => {
    const ts = inputs as unknown as tf.TensorInfo[];
    const vs = ts.map((t) => values(backend, t));
    if (ts.length < 2 || vs.some((v) => v === undefined) || ts.some((t) => t.shape.join() !== ts[0]!.shape.join())) return undefined;
    const n = sizeOf(ts[0]!.shape);
    const out = alloc(n);
    if (n > 0) {
      addon.binary(0, vs[0]!, vs[1]!, out, [n], [1], [1]);
      for (let i = 2; i < vs.length; i++) addon.binary(0, out, vs[i]!, out, [n], [1], [1]);
    }
    return output(backend, [...ts[0]!.shape], out);
  });

  const tile = nativeKernel('Tile', ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    const { reps } = attrs as unknown as { reps: number[] };
    const xv = values(backend, x!);
    if (xv === undefined || x!.shape.length === 0 || x!.shape.length > 8 || reps.length !== x!.shape.length) return undefined;
    if (reps.some((r) => !Number.isInteger(r) || r < 1)) return undefined;
    const outShape = x!.shape.map((d, i) => d * reps[i]!);
    const out = alloc(sizeOf(outShape));
    if (out.length > 0) addon.tile(xv, out, [...x!.shape], reps);
    return output(backend, outShape, out);
  });

  return [...binary, ...compare, ...unary, addN, tile];
}
