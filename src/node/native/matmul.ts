/** BatchMatMul and _FusedMatMul (bias and activation fused) through cblas_sgemm, all transpose flags. */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { activationCode } from './activation.js';
import { alloc, nativeKernel, output, shapeError, sizeOf, values } from './kernel-utils.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function matMulKernels(addon: NativeAddon): tf.KernelConfig[] {
  const matMul = (name: string, fused: boolean) => nativeKernel(name, ({ inputs, attrs }, backend) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as MatMulAttrs;
    if (preluActivationWeights != null) return undefined;
    if (a!.shape.length < 2) shapeError(name, 'a', 'have rank >= 2', a!.shape);
    if (b!.shape.length < 2) shapeError(name, 'b', 'have rank >= 2', b!.shape);
    const ra = a!.shape.length, rb = b!.shape.length;
    const m = transposeA ? a!.shape[ra - 1]! : a!.shape[ra - 2]!;
    const k = transposeA ? a!.shape[ra - 2]! : a!.shape[ra - 1]!;
    const k2 = transposeB ? b!.shape[rb - 1]! : b!.shape[rb - 2]!;
    const n = transposeB ? b!.shape[rb - 2]! : b!.shape[rb - 1]!;
    if (k !== k2) shapeError(name, 'b', `have inner dimension ${k} (from a [${a!.shape.join(', ')}])`, b!.shape);
    const batchShapeA = a!.shape.slice(0, -2), batchShapeB = b!.shape.slice(0, -2);
    const batchA = sizeOf(batchShapeA), batchB = sizeOf(batchShapeB);
    // Batch broadcasting the addon covers: equal batch shapes, or one side with batch 1.
    let batchShape: number[];
    if (sameShape(batchShapeA, batchShapeB)) batchShape = batchShapeA;
    else if (batchB === 1 && batchShapeA.length >= batchShapeB.length) batchShape = batchShapeA;
    else if (batchA === 1 && batchShapeB.length >= batchShapeA.length) batchShape = batchShapeB;
    else return undefined;
    const act = activationCode(fused ? activation : 'linear');
    const av = values(backend, a!), bv = values(backend, b!);
    const biasv = bias == null ? null : values(backend, bias);
    if (act === undefined || av === undefined || bv === undefined || biasv === undefined) return undefined;
    // Bias: a scalar, or a per-column vector broadcast along every other axis.
    if (biasv !== null && biasv.length !== 1 && !(biasv.length === n && bias!.shape[bias!.shape.length - 1] === n)) return undefined;
    const outShape = [...batchShape, m, n];
    const c = alloc(sizeOf(outShape));
    addon.gemm(av, bv, c, batchA, batchB, m, n, k, transposeA, transposeB, biasv, act, leakyreluAlpha ?? 0.2);
    return output(backend, outShape, c);
  });
  return [matMul('BatchMatMul', false), matMul('_FusedMatMul', true)];
}
