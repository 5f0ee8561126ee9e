/**
 * The LSTM sequence kernels of src/models/lstm-sequence.ts: `ContrastiveLstmSequence` (every
 * step's h and c and the gates of a whole sequence, one addon call) and
 * `ContrastiveLstmSequenceGrad` (its back-propagation through time, one call), native/lstm.cc.
 */
import type * as tf from '../../tf.js';
import type { NativeAddon } from './addon.js';
import { alloc, nativeKernel, output, values } from './kernel-utils.js';
import { checkShapes, recurrentDims } from './recurrent-dims.js';
import { LSTM_SEQUENCE_GRAD_KERNEL, LSTM_SEQUENCE_KERNEL, type LstmSequenceAttrs } from '../../models/lstm-sequence.js';

type Info = tf.TensorInfo;

export function lstmKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    nativeKernel(
      LSTM_SEQUENCE_KERNEL,
      ({ inputs, attrs }, backend) => {
        const { x, kernel, recurrentKernel, bias } = inputs as Record<string, Info>;
        const [b, t, d, u] = recurrentDims(LSTM_SEQUENCE_KERNEL, 4, x!, kernel!, recurrentKernel!, bias!);
        const hard = (attrs as unknown as LstmSequenceAttrs).recurrentActivation === 'hardSigmoid';
        const v = [x, kernel, recurrentKernel, bias].map((i) => values(backend, i!));
        if (v.some((a) => a === undefined)) throw new Error(`native ${LSTM_SEQUENCE_KERNEL}: inputs must be float32`);
        const [xv, kv, rv, bv] = v as Float32Array[];
        const h = alloc(b * t * u), c = alloc(b * t * u), gates = alloc(b * t * 4 * u);
        addon.lstmForward(xv!, kv!, rv!, bv!, h, c, gates, b, t, d, u, hard);
        return [output(backend, [b, t, u], h), output(backend, [b, t, u], c), output(backend, [b, t, 4 * u], gates)];
      },
      false,
    ),
    nativeKernel(
      LSTM_SEQUENCE_GRAD_KERNEL,
      ({ inputs, attrs }, backend) => {
        const { dy, x, kernel, recurrentKernel, h, c, gates } = inputs as Record<string, Info>;
        const [b, t, d, u] = recurrentDims(LSTM_SEQUENCE_GRAD_KERNEL, 4, x!, kernel!, recurrentKernel!);
        checkShapes(LSTM_SEQUENCE_GRAD_KERNEL, [
          ['dy', dy!, [b, t, u]],
          ['h', h!, [b, t, u]],
          ['c', c!, [b, t, u]],
          ['gates', gates!, [b, t, 4 * u]],
        ]);
        const hard = (attrs as unknown as LstmSequenceAttrs).recurrentActivation === 'hardSigmoid';
        const v = [dy, x, kernel, recurrentKernel, h, c, gates].map((i) => values(backend, i!));
        if (v.some((a) => a === undefined)) throw new Error(`native ${LSTM_SEQUENCE_GRAD_KERNEL}: inputs must be float32`);
        const [dyv, xv, kv, rv, hv, cv, gv] = v as Float32Array[];
        const dx = alloc(b * t * d), dk = new Float32Array(d * 4 * u), drk = new Float32Array(u * 4 * u), db = new Float32Array(4 * u);
        addon.lstmBackward(dyv!, xv!, kv!, rv!, hv!, cv!, gv!, dx, dk, drk, db, b, t, d, u, hard);
        return [output(backend, [b, t, d], dx), output(backend, [d, 4 * u], dk), output(backend, [u, 4 * u], drk), output(backend, [4 * u], db)];
      },
      false,
    ),
  ];
}
