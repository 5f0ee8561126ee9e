/**
 * An LSTM over a whole sequence as one differentiable op, for a backend that registers its two
 * kernels (the `native` one does, native/lstm.cc): `ContrastiveLstmSequence` runs the forward
 * pass over all T steps in one call, `ContrastiveLstmSequenceGrad` its back-propagation through
 * time. The cell is Keras' LSTM (that of `tf.layers.lstm`), weights `kernel [D, 4U]`,
 * `recurrent_kernel [U, 4U]`, `bias [4U]` in i, f, c, o order, h_0 = c_0 = 0:
 *   i = f(x W_i + h U_i + b_i), f = f(x W_f + h U_f + b_f), g = tanh(x W_c + h U_c + b_c),
 *   o = f(x W_o + h U_o + b_o), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'),
 * f the logistic sigmoid or tfjs-layers' hard sigmoid clip(0.2 a + 0.5, 0, 1).
 *
 * There is no tf-ops path: on backends without the kernels tfjs-layers' own LSTM runs
 * (`routeLstmLayers`, src/models/lstm-layer.ts, only calls this where `hasLstmSequenceKernel()`).
 */
import * as tf from '../tf.js';
import { BackendError } from '../errors.js';
import type { GruRecurrentActivation } from './gru-sequence.js';

/** Name of the one-call forward kernel: inputs x, kernel, recurrentKernel, bias; attrs `LstmSequenceAttrs`; outputs h [B, T, U], c [B, T, U], gates [B, T, 4U] (i, f, g, o). */
export const LSTM_SEQUENCE_KERNEL = 'ContrastiveLstmSequence';
/** Name of its gradient kernel: inputs dy, x, kernel, recurrentKernel, h, c, gates; outputs dx, dKernel, dRecurrentKernel, dBias. */
export const LSTM_SEQUENCE_GRAD_KERNEL = 'ContrastiveLstmSequenceGrad';

/** The gates' activation: the logistic sigmoid, or tfjs-layers' `hardSigmoid` (its LSTM's default). */
export type LstmRecurrentActivation = GruRecurrentActivation;

/** The attributes of both kernels. */
export interface LstmSequenceAttrs {
  recurrentActivation: LstmRecurrentActivation;
}

/** Whether the active backend runs the LSTM in one kernel each way. */
export function hasLstmSequenceKernel(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(LSTM_SEQUENCE_KERNEL, backend) !== undefined && tf.getKernel(LSTM_SEQUENCE_GRAD_KERNEL, backend) !== undefined;
}

/**
 * `x [B, T, D]` -> every hidden state `[B, T, U]`, differentiable with respect to all four inputs.
 * Leak-free: c and the gates are saved on the tape for the gradient, not returned.
 * @throws BackendError when the active backend has no LSTM sequence kernels (`hasLstmSequenceKernel`).
 */
export function lstmSequence(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  { recurrentActivation = 'sigmoid' }: { recurrentActivation?: LstmRecurrentActivation } = {},
): tf.Tensor3D {
  if (!hasLstmSequenceKernel())
    throw new BackendError(
      'lstmSequence',
      undefined,
      `backend '${tf.getBackend()}' has no ${LSTM_SEQUENCE_KERNEL} kernel (the native backend has)`,
    );
  const attrs: LstmSequenceAttrs = { recurrentActivation };
  return tf.tidy(() => {
    const [h] = tf
      .engine()
      .runKernel(LSTM_SEQUENCE_KERNEL, { x, kernel, recurrentKernel, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return h as tf.Tensor3D;
  });
}

tf.registerGradient({
  kernelName: LSTM_SEQUENCE_KERNEL,
  inputsToSave: ['x', 'kernel', 'recurrentKernel'],
  outputsToSave: [true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor3D;
    const [x, kernel, recurrentKernel, h, c, gates] = saved as tf.Tensor[];
    const [dx, dKernel, dRk, dBias] = tf
      .engine()
      .runKernel(
        LSTM_SEQUENCE_GRAD_KERNEL,
        { dy, x: x!, kernel: kernel!, recurrentKernel: recurrentKernel!, h: h!, c: c!, gates: gates! },
        attrs,
      ) as tf.Tensor[];
    return { x: () => dx!, kernel: () => dKernel!, recurrentKernel: () => dRk!, bias: () => dBias! };
  },
});
