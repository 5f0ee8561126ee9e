/**
 * The GRU sequence kernels of src/models/gru-sequence.ts: `ContrastiveGruSequence` (every step's
 * state and the gates of a whole sequence, one addon call) and `ContrastiveGruSequenceGrad` (its
 * back-propagation through time, one call), native/gru.cc.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, values } from './kernel-utils.js';
import { checkShapes, recurrentDims } from './recurrent-dims.js';
import { GRU_SEQUENCE_GRAD_KERNEL, GRU_SEQUENCE_KERNEL, type GruSequenceAttrs } from '../../models/gru-sequence.js';

type Info = tf.TensorInfo;

export function gruKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel(GRU_SEQUENCE_KERNEL, ({ inputs, attrs }, backend) => {
    const { x, kernel, recurrentKernel, bias } = inputs as Record<string, Info>;
    const [b, t, d, u] = recurrentDims(GRU_SEQUENCE_KERNEL, 3, x!, kernel!, recurrentKernel!, bias!);
    const hard = (attrs as unknown as GruSequenceAttrs).recurrentActivation === 'hardSigmoid';
    const v = [x, kernel, recurrentKernel, bias].map((i) => values(backend, i!));
    if (v.some((a) => a === undefined)) throw new Error(`native ${GRU_SEQUENCE_KERNEL}: inputs must be float32`);
    const [xv, kv, rv, bv] = v as Float32Array[];
    const h = alloc(b * t * u), gates = alloc(b * t * 3 * u);
    addon.gruForward(xv!, kv!, rv!, bv!, h, gates, b, t, d, u, hard);
    return [output(backend, [b, t, u], h), output(backend, [b, t, 3 * u], gates)];
  }, false), nativeKernel(GRU_SEQUENCE_GRAD_KERNEL, ({ inputs, attrs }, backend) => {
    const { dy, x, kernel, recurrentKernel, h, gates } = inputs as Record<string, Info>;
    const [b, t, d, u] = recurrentDims(GRU_SEQUENCE_GRAD_KERNEL, 3, x!, kernel!, recurrentKernel!);
    checkShapes(GRU_SEQUENCE_GRAD_KERNEL, [['dy', dy!, [b, t, u]], ['h', h!, [b, t, u]], ['gates', gates!, [b, t, 3 * u]]]);
    const hard = (attrs as unknown as GruSequenceAttrs).recurrentActivation === 'hardSigmoid';
    const v = [dy, x, kernel, recurrentKernel, h, gates].map((i) => values(backend, i!));
    if (v.some((a) => a === undefined)) throw new Error(`native ${GRU_SEQUENCE_GRAD_KERNEL}: inputs must be float32`);
    const [dyv, xv, kv, rv, hv, gv] = v as Float32Array[];
    const dx = alloc(b * t * d), dk = new Float32Array(d * 3 * u), drk = new Float32Array(u * 3 * u), db = new Float32Array(3 * u);
    addon.gruBackward(dyv!, xv!, kv!, rv!, hv!, gv!, dx, dk, drk, db, b, t, d, u, hard);
    return [output(backend, [b, t, d], dx), output(backend, [d, 3 * u], dk), output(backend, [u, 3 * u], drk), output(backend, [3 * u], db)];
  }, false)];
}
