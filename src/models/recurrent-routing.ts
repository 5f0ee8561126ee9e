/**
 * Routes a tfjs-layers recurrent layer class (`GRU`, `LSTM`) to a one-call sequence op, so that a
 * model made with `tf.layers.gru` / `tf.layers.lstm` in a user's own code, loaded with
 * `tf.loadLayersModel` or built by `pretrain --arch model.json` trains at a native kernel's speed
 * without a change. `recurrentRoute(className, ...)` wraps the class's `call`; once routed, each
 * call runs the op when
 * - the active backend has the op's kernels (`hasKernel()`),
 * - the layer's config is one the kernel computes: activation `tanh`, recurrent activation
 *   `sigmoid` or `hardSigmoid` (tfjs-layers' default), no dropout, not stateful, not backwards,
 *   no returned state,
 * - and the call has one float32 input `[B, T, D]`, no mask and no initial state.
 * Otherwise, and on every other backend, tfjs-layers' own call runs unchanged. The layer keeps
 * tfjs-layers' class, config and weights (`kernel`, `recurrent_kernel`, `bias`), so saved models
 * stay plain GRUs and LSTMs.
 */
import * as tf from '../tf.js';
import type { GruRecurrentActivation } from './gru-sequence.js';

type Call = (this: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The fields of tfjs-layers' recurrent cells and RNN the routed call reads (private in their typings). */
interface RecurrentFields {
  cell: {
    activation: tf.serialization.Serializable;
    recurrentActivation: tf.serialization.Serializable;
    useBias: boolean;
    dropout: number;
    recurrentDropout: number;
    kernel: tf.LayerVariable;
    recurrentKernel: tf.LayerVariable;
    bias: tf.LayerVariable | null;
  };
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
}

/** A sequence op: x `[B, T, D]` and the cell's weights -> every step's hidden state `[B, T, U]`. */
export type SequenceOp = (
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  options: { recurrentActivation: GruRecurrentActivation },
) => tf.Tensor3D;

/** Turns the routing of one class on (`route`, idempotent) and says whether it is on (`routed`). */
export interface RecurrentRoute {
  route(): void;
  routed(): boolean;
}

/** The gate activation when `layer` and this call can run the op, else undefined. */
function fusableActivation(
  layer: RecurrentFields,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
  hasKernel: () => boolean,
): GruRecurrentActivation | undefined {
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
  const recurrent = layer.cell.recurrentActivation.getClassName();
  if (
    !hasKernel() ||
    x === undefined ||
    x.rank !== 3 ||
    x.dtype !== 'float32' ||
    x.size === 0 ||
    kwargs.mask != null ||
    kwargs.initialState != null ||
    layer.stateful ||
    layer.goBackwards ||
    layer.returnState ||
    layer.cell.dropout !== 0 ||
    layer.cell.recurrentDropout !== 0 ||
    layer.cell.activation.getClassName() !== 'tanh' ||
    (recurrent !== 'sigmoid' && recurrent !== 'hardSigmoid')
  ) {
    return undefined;
  }
  return recurrent;
}

/**
 * The routing of tfjs-layers' `className` layers to `op` where `hasKernel()` (see the file's
 * comment). The outputs are those of tfjs-layers' own call to float rounding.
 */
export function recurrentRoute(className: 'GRU' | 'LSTM', hasKernel: () => boolean, op: SequenceOp): RecurrentRoute {
  const cls = tf.serialization.SerializationMap.getMap().classNameMap[className]![0] as unknown as { prototype: { call: Call } };
  const own = cls.prototype.call; // tfjs-layers' call, kept for every case the op does not compute
  const routed: Call = function (this: tf.layers.Layer, inputs, kwargs) {
    const self = this as unknown as RecurrentFields;
    const activation = fusableActivation(self, inputs, kwargs ?? {}, hasKernel);
    if (activation === undefined) return own.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const kernel = self.cell.kernel.read() as tf.Tensor2D;
      const bias = self.cell.useBias && self.cell.bias !== null ? (self.cell.bias.read() as tf.Tensor1D) : tf.zeros([kernel.shape[1]!]);
      const h = op(x, kernel, self.cell.recurrentKernel.read() as tf.Tensor2D, bias as tf.Tensor1D, { recurrentActivation: activation });
      if (self.returnSequences) return h;
      const [b, t, u] = h.shape;
      return tf.reshape(tf.slice(h, [0, t - 1, 0], [b, 1, u]), [b, u]); // the last step's state
    });
  };
  return {
    route: () => {
      cls.prototype.call = routed;
    },
    routed: () => cls.prototype.call === routed,
  };
}
