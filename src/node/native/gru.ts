/**
 * The GRU sequence kernels of src/models/gru-sequence.ts: `ContrastiveGruSequence` (every step's
 * state and the gates of a whole sequence, one addon call) and `ContrastiveGruSequenceGrad` (its
 * back-propagation through time, one call), native/gru.cc.
 */
import * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, shapeError, values } from './kernel-utils.js';
import { GRU_SEQUENCE_GRAD_KERNEL, GRU_SEQUENCE_KERNEL, type GruSequenceAttrs } from '../../models/gru-sequence.js';

type Info = tf.TensorInfo;

/** Checks the shapes of x [B, T, D], kernel [D, 3U], recurrent kernel [U, 3U] (and bias [3U]); returns [B, T, D, U]. */
function dims(name: string, x: Info, kernel: Info, rk: Info, bias?: Info): [number, number, number, number] {
  if (x.shape.length !== 3 || x.shape.some((d) => d < 1)) shapeError(name, 'x', 'be [B, T, D] with every size >= 1', x.shape);
  const [b, t, d] = x.shape as [number, number, number];
  if (rk.shape.length !== 2 || rk.shape[0]! < 1 || rk.shape[1] !== 3 * rk.shape[0]!) {
    shapeError(name, 'recurrentKernel', 'be [U, 3U] with U >= 1', rk.shape);
  }
  const u = rk.shape[0]!;
  if (kernel.shape.length !== 2 || kernel.shape[0] !== d || kernel.shape[1] !== 3 * u) shapeError(name, 'kernel', `be [${d}, ${3 * u}]`, kernel.shape);
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== 3 * u)) shapeError(name, 'bias', `be [${3 * u}]`, bias.shape);
  return [b, t, d, u];
}

export function gruKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel(GRU_SEQUENCE_KERNEL, ({ inputs, attrs }, backend) => {
    const { x, kernel, recurrentKernel, bias } = inputs as Record<string, Info>;
    const [b, t, d, u] = dims(GRU_SEQUENCE_KERNEL, x!, kernel!, recurrentKernel!, bias!);
    const hard = (attrs as unknown as GruSequenceAttrs).recurrentActivation === 'hardSigmoid';
    const v = [x, kernel, recurrentKernel, bias].map((i) => values(backend, i!));
    if (v.some((a) => a === undefined)) throw new Error(`native ${GRU_SEQUENCE_KERNEL}: inputs must be float32`);
    const [xv, kv, rv, bv] = v as Float32Array[];
    const h = alloc(b * t * u), gates = alloc(b * t * 3 * u);
    addon.gruForward(xv!, kv!, rv!, bv!, h, gates, b, t, d, u, hard);
    return [output(backend, [b, t, u], h), output(backend, [b, t, 3 * u], gates)];
  }, false), nativeKernel(GRU_SEQUENCE_GRAD_KERNEL, ({ inputs, attrs }, backend) => {
    const { dy, x, kernel, recurrentKernel, h, gates } = inputs as Record<string, Info>;
    const [b, t, d, u] = dims(GRU_SEQUENCE_GRAD_KERNEL, x!, kernel!, recurrentKernel!);
    for (const [name, info, width] of [['dy', dy, u], ['h', h, u], ['gates', gates, 3 * u]] as const) {
      if (info!.shape.join() !== [b, t, width].join()) shapeError(GRU_SEQUENCE_GRAD_KERNEL, name, `be [${b}, ${t}, ${width}]`, info!.shape);
    }
    const hard = (attrs as unknown as GruSequenceAttrs).recurrentActivation === 'hardSigmoid';
    const v = [dy, x, kernel, recurrentKernel, h, gates].map((i) => values(backend, i!));
    if (v.some((a) => a === undefined)) throw new Error(`native ${GRU_SEQUENCE_GRAD_KERNEL}: inputs must be float32`);
    const [dyv, xv, kv, rv, hv, gv] = v as Float32Array[];
    const dx = alloc(b * t * d), dk = new Float32Array(d * 3 * u), drk = new Float32Array(u * 3 * u), db = new Float32Array(3 * u);
    addon.gruBackward(dyv!, xv!, kv!, rv!, hv!, gv!, dx, dk, drk, db, b, t, d, u, hard);
    return [output(backend, [b, t, d], dx), output(backend, [d, 3 * u], dk), output(backend, [u, 3 * u], drk), output(backend, [3 * u], db)];
  }, false)];
}
