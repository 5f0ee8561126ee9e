/**
 * `gru(args)`: a drop-in for `tf.layers.gru` (same args, config, weights `kernel`,
 * `recurrent_kernel`, `bias`, and className `GRU`, so saved models load with plain
 * `tf.loadLayersModel`) whose call runs `gruSequence` (one kernel each way on the `native`
 * backend, src/models/gru-sequence.ts) when
 * - the active backend has the GRU sequence kernels,
 * - the layer's config is one the kernel computes: activation `tanh`, recurrent activation
 *   `sigmoid` or `hardSigmoid` (tfjs-layers' default), no dropout, not stateful, not backwards,
 *   no returned state (tfjs-layers' GRU is always Keras' reset-before variant: no `reset_after`),
 * - and the call has one float32 input `[B, T, D]`, no mask and no initial state.
 * Otherwise, and on every other backend, it is tfjs-layers' GRU unchanged. The outputs are those
 * of tfjs-layers' to float rounding (tested to 1e-5).
 *
 * A user's model reaches it without changing anything: `buildLayersModel`
 * (src/models/layers-model-arch.ts, `pretrain --arch model.json`) builds every `GRU` layer of the
 * topology as this class (`FUSED_GRU_CLASS_NAME` in the deserialiser's map).
 */
import * as tf from '../tf.js';
import { gruSequence, hasGruSequenceKernel, type GruRecurrentActivation } from './gru-sequence.js';

/** The arguments of `tf.layers.gru`. */
export type GruArgs = NonNullable<Parameters<typeof tf.layers.gru>[0]>;
type TfGru = ReturnType<typeof tf.layers.gru>;

/** Name under which the deserialiser builds this class (a topology's `GRU` renamed, see layers-model-arch.ts). */
export const FUSED_GRU_CLASS_NAME = 'ContrastiveFusedGru';

/** The fields of tfjs-layers' GRUCell and RNN this layer reads (private in their typings). */
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

/** tfjs-layers' GRU class, as registered for deserialisation (no instance made). */
const TfGruClass = tf.serialization.SerializationMap.getMap().classNameMap.GRU![0] as unknown as new (args: GruArgs) => TfGru;

/** tfjs-layers' GRU whose call runs the GRU sequence kernel where it can (see the file's comment). */
class FusedGru extends TfGruClass {
  /** The recurrent activation when this layer and call can run `gruSequence`, else undefined. */
  private fusedActivation(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): GruRecurrentActivation | undefined {
    const self = this as unknown as GruFields;
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

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const activation = this.fusedActivation(inputs, kwargs ?? {});
    if (activation === undefined) return super.call(inputs, kwargs);
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
  }
}

// The deserialiser's entry for renamed GRU layers; instances keep the className `GRU` (inherited).
tf.serialization.SerializationMap.getMap().classNameMap[FUSED_GRU_CLASS_NAME] = [
  FusedGru as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  (cls, config) => new (cls as unknown as new (c: tf.serialization.ConfigDict) => FusedGru)(config),
];

/**
 * A GRU layer (the args of `tf.layers.gru`: units, activation 'tanh', recurrentActivation
 * 'hardSigmoid', returnSequences false, initialisers, ...) that runs the GRU sequence kernel on
 * backends that have it (see the file's comment). Serialises as tfjs-layers' `GRU`.
 */
export function gru(args: GruArgs): TfGru {
  return new FusedGru(args);
}
