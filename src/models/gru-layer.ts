/**
 * Routes tfjs-layers' own `GRU` layer to `gruSequence` (one kernel each way on the `native`
 * backend, src/models/gru-sequence.ts), so that a model made with `tf.layers.gru` in a user's own
 * code, loaded with `tf.loadLayersModel` or built by `pretrain --arch model.json` trains at the
 * kernel's speed without a change. `routeGruLayers()` wraps the `call` of tfjs-layers' GRU class
 * once; each call then runs the kernel when
 * - the active backend has the GRU sequence kernels,
 * - the layer's config is one the kernel computes: activation `tanh`, recurrent activation
 *   `sigmoid` or `hardSigmoid` (tfjs-layers' default), no dropout, not stateful, not backwards,
 *   no returned state (tfjs-layers' GRU is always Keras' reset-before variant: no `reset_after`),
 * - and the call has one float32 input `[B, T, D]`, no mask and no initial state.
 * Otherwise, and on every other backend, tfjs-layers' own call runs unchanged. The outputs are
 * those of tfjs-layers' to float rounding (tested to 1e-5); the class, its config and its weights
 * (`kernel`, `recurrent_kernel`, `bias`) are tfjs-layers', so saved models stay plain GRUs.
 *
 * `initBackend()` and `buildLayersModel` route; `gru(args)` is `tf.layers.gru(args)` after routing.
 */
import * as tf from '../tf.js';
import { gruSequence, hasGruSequenceKernel, type GruRecurrentActivation } from './gru-sequence.js';

/** The arguments of `tf.layers.gru`. */
export type GruArgs = NonNullable<Parameters<typeof tf.layers.gru>[0]>;
type TfGru = ReturnType<typeof tf.layers.gru>;
type GruCall = (this: TfGru, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The fields of tfjs-layers' GRUCell and RNN the routed call reads (private in their typings). */
interface GruFields {
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

/** tfjs-layers' GRU class, as registered for deserialisation: the class `tf.layers.gru` makes. */
const TfGruClass = tf.serialization.SerializationMap.getMap().classNameMap.GRU![0] as unknown as { prototype: { call: GruCall } };

/** tfjs-layers' own call, kept for every case the kernel does not compute. */
const tfjsCall: GruCall = TfGruClass.prototype.call;

/** The recurrent activation when `layer` and this call can run `gruSequence`, else undefined. */
function fusedActivation(
  layer: TfGru,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
): GruRecurrentActivation | undefined {
  const self = layer as unknown as GruFields;
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
  const recurrent = self.cell.recurrentActivation.getClassName();
  if (
    !hasGruSequenceKernel() ||
    x === undefined ||
    x.rank !== 3 ||
    x.dtype !== 'float32' ||
    x.size === 0 ||
    kwargs.mask != null ||
    kwargs.initialState != null ||
    self.stateful ||
    self.goBackwards ||
    self.returnState ||
    self.cell.dropout !== 0 ||
    self.cell.recurrentDropout !== 0 ||
    self.cell.activation.getClassName() !== 'tanh' ||
    (recurrent !== 'sigmoid' && recurrent !== 'hardSigmoid')
  ) {
    return undefined;
  }
  return recurrent;
}

/** GRU.call, routed: the kernel where `fusedActivation` allows, else tfjs-layers' own call. */
const routedCall: GruCall = function (this: TfGru, inputs, kwargs) {
  const activation = fusedActivation(this, inputs, kwargs ?? {});
  if (activation === undefined) return tfjsCall.call(this, inputs, kwargs);
  const self = this as unknown as GruFields;
  return tf.tidy(() => {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
    const kernel = self.cell.kernel.read() as tf.Tensor2D;
    const bias = self.cell.useBias && self.cell.bias !== null ? (self.cell.bias.read() as tf.Tensor1D) : tf.zeros([kernel.shape[1]!]);
    const h = gruSequence(x, kernel, self.cell.recurrentKernel.read() as tf.Tensor2D, bias as tf.Tensor1D, {
      recurrentActivation: activation,
    });
    if (self.returnSequences) return h;
    const [b, t, u] = h.shape;
    return tf.reshape(tf.slice(h, [0, t - 1, 0], [b, 1, u]), [b, u]); // the last step's state
  });
};

/**
 * Makes every tfjs-layers GRU layer, existing or future, run the GRU sequence kernel where the
 * backend has it and the layer's config allows (see the file's comment). Idempotent.
 */
export function routeGruLayers(): void {
  TfGruClass.prototype.call = routedCall;
}

/** Whether tfjs-layers' GRU layers are routed (`routeGruLayers`). */
export function gruLayersRouted(): boolean {
  return TfGruClass.prototype.call === routedCall;
}

/**
 * `tf.layers.gru(args)` with tfjs-layers' GRU layers routed to the GRU sequence kernel
 * (`routeGruLayers`): the same layer, class `GRU`, config and weights.
 */
export function gru(args: GruArgs): TfGru {
  routeGruLayers();
  return tf.layers.gru(args);
}
