/**
 * CPC's autoregressive context model g_ar (van den Oord et al. 2018, https://arxiv.org/abs/1807.03748,
 * §3.1: a GRU): latents z `[B, T', D]` -> contexts c `[B, T', U]`, c_t summarising z_1..z_t
 * (`SequenceGru`: the cell of `tf.layers.gru`, ~faster, tested against it). `SequencePool` turns the contexts into one vector per
 * sequence for downstream use: c at the last step or the mean of c over time.
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { assertInteger, assertOneOf } from '../validate.js';
import { gruSequence } from './gru-sequence.js';

export type SequencePooling = 'last' | 'mean' | 'max' | 'pyramid';

/** The levels of `'pyramid'` pooling: the whole sequence, its halves and its quarters. */
const PYRAMID_LEVELS = [1, 2, 4] as const;
const PYRAMID_SEGMENTS = PYRAMID_LEVELS.reduce((a, n) => a + n, 0);

export interface GruContextOptions {
  /** Latent size D of the input `[B, T', D]`. */
  inputDim: number;
  /** GRU units U (the context size). @default 128 (the paper's 256, scaled down for 2 CPU cores) */
  units?: number;
  /** Seed of the kernel initialisers. @default 0 */
  seed?: number;
  /** Model name (prefix of its layers). @default 'gru_context' */
  name?: string;
}

/**
 * A GRU over a whole sequence, returning every step: `[B, T, D]` -> `[B, T, U]`. The same cell as
 * `tf.layers.gru` (Cho et al. 2014; Keras' reset-before variant, weights `kernel [D, 3U]`,
 * `recurrent_kernel [U, 3U]`, `bias [3U]` in z, r, h order), with sigmoid gates:
 *   z = σ(x W_z + h U_z + b_z), r = σ(x W_r + h U_r + b_r), h~ = tanh(x W_h + (r ⊙ h) U_h + b_h),
 *   h' = z ⊙ h + (1 - z) ⊙ h~.
 * Faster than `tf.layers.gru`: on the native backend the whole sequence is one kernel each way
 * (native/gru.cc); elsewhere the input projections of all T steps are two matrix products, each
 * step is two small products and a few element-wise ops with no slicing of columns, and the
 * backward pass is written by hand (`gruSequence`).
 */
export class SequenceGru extends tf.layers.Layer {
  static readonly className = 'ContrastiveSequenceGru';
  readonly units: number;
  private readonly seed: number;
  private kernel: tf.LayerVariable | undefined;
  private recurrentKernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: { units: number; seed?: number; name?: string }) {
    super(args.name !== undefined ? { name: args.name } : {});
    assertInteger(args.units, 'SequenceGru', 'units');
    this.units = args.units;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = s[s.length - 1]!;
    const u = this.units;
    this.kernel = this.addWeight('kernel', [d, 3 * u], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    // tfjs's orthogonal initialiser needs chained ops this build does not register: Glorot-uniform instead
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [u, 3 * u],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seed + 1 }),
    );
    this.bias = this.addWeight('bias', [3 * u], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0]!, s[1]!, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D; // [B, T, D]
    return gruSequence(
      x,
      this.kernel!.read() as tf.Tensor2D,
      this.recurrentKernel!.read() as tf.Tensor2D,
      this.bias!.read() as tf.Tensor1D,
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed };
  }
}
tf.serialization.registerClass(SequenceGru);

/** g_ar: `[B, T', D]` -> `[B, T', units]` (any T'). */
export function gruContext(options: GruContextOptions): tf.LayersModel {
  const fn = 'gruContext';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${String(options)}`);
  const { inputDim, units = 128, seed = 0, name = 'gru_context' } = options;
  assertInteger(inputDim, fn, 'inputDim');
  assertInteger(units, fn, 'units');
  const input = tf.input({ shape: [null, inputDim], name: `${name}_input` }); // [B, T', D]
  const c = new SequenceGru({ units, seed, name: `${name}_gru` }).apply(input) as tf.SymbolicTensor; // [B, T', U]
  return tf.model({ inputs: input, outputs: c, name });
}

/**
 * `[B, T, U]` -> `[B, U]`: the last time step (`'last'`), the mean over time (`'mean'`) or the
 * maximum over time of each unit (`'max'`, TS2Vec's instance representation); `'pyramid'`: `[B, 7U]`, the
 * means over the whole sequence, its two halves and its four quarters side by side (temporal pyramid
 * pooling, the time axis of He et al. 2014's spatial pyramid: it keeps where in the sequence a
 * context occurs, which the mean alone discards).
 * Registered with tfjs serialisation, so models containing it save and load.
 */
export class SequencePool extends tf.layers.Layer {
  static readonly className = 'ContrastiveSequencePool';
  readonly mode: SequencePooling;

  constructor(args: { mode?: SequencePooling; name?: string } = {}) {
    super(args.name !== undefined ? { name: args.name } : {});
    const mode = args.mode ?? 'mean';
    assertOneOf(mode, ['last', 'mean', 'max', 'pyramid'] as const, 'SequencePool', 'mode');
    this.mode = mode;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0]!, this.mode === 'pyramid' ? s[2]! * PYRAMID_SEGMENTS : s[2]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D; // [B, T, U]
      if (this.mode === 'mean') return tf.mean(x, 1); // [B, U]
      if (this.mode === 'max') return tf.max(x, 1); // [B, U]
      const [b, t, u] = x.shape;
      if (this.mode === 'pyramid') {
        const means: tf.Tensor2D[] = [];
        for (const n of PYRAMID_LEVELS)
          for (let i = 0; i < n; i++) {
            // segment i of n: [floor(iT/n), floor((i+1)T/n)), at least one step (T < n repeats steps)
            const start = Math.min(t - 1, Math.floor((i * t) / n));
            const end = Math.max(start + 1, Math.floor(((i + 1) * t) / n));
            means.push(tf.mean(tf.slice(x, [0, start, 0], [b, end - start, u]), 1));
          }
        return tf.concat(means, 1); // [B, 7U]
      }
      return tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, u]), [b, u]); // [B, U]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(SequencePool);

/** A `SequencePool` layer. */
export function sequencePool(args: { mode?: SequencePooling; name?: string } = {}): SequencePool {
  return new SequencePool(args);
}
