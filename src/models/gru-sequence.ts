/**
 * A GRU over a whole sequence as one differentiable op with a hand-written backward pass
 * (back-propagation through time), for `SequenceGru` and tfjs-layers' GRU layers (routed to it by
 * src/models/gru-layer.ts). The cell is Keras' reset-before variant (that of `tf.layers.gru`), weights
 * `kernel [D, 3U]`, `recurrent_kernel [U, 3U]`, `bias [3U]` in z, r, h order:
 *   z = f(x W_z + h U_z + b_z), r = f(x W_r + h U_r + b_r), h~ = tanh(x W_h + (r ⊙ h) U_h + b_h),
 *   h' = z ⊙ h + (1 - z) ⊙ h~, h_0 = 0,
 * f the logistic sigmoid or tfjs-layers' hard sigmoid clip(0.2 a + 0.5, 0, 1).
 *
 * A backend that registers the kernel `ContrastiveGruSequence` (the `native` one does,
 * native/gru.cc) runs the forward pass over all T steps in one kernel call, and its gradient in
 * one call of `ContrastiveGruSequenceGrad`. Elsewhere (cpu, wasm, webgl) the same math runs as tf
 * ops: the forward pass is 11 ops per time step (z and r from one product), the backward pass 9,
 * and the weight gradients three matrix products over all steps at once instead of one per step.
 * Why by hand: tfjs' automatic gradient records every op of the recurrence and adds several per
 * op on the way back (broadcast checks, reshapes, identities): a CPC step on ECG200's shape
 * dispatched 3,005 kernels with it, 921 with the tf-ops path here (BENCHMARKS.md, CPC on short
 * series: step time).
 */
import * as tf from '../tf.js';

/** Name of the one-call forward kernel: inputs x, kernel, recurrentKernel, bias; attrs `GruSequenceAttrs`; outputs h [B, T, U], gates [B, T, 3U] (z, r, h~). */
export const GRU_SEQUENCE_KERNEL = 'ContrastiveGruSequence';
/** Name of its gradient kernel: inputs dy, x, kernel, recurrentKernel, h, gates; outputs dx, dKernel, dRecurrentKernel, dBias. */
export const GRU_SEQUENCE_GRAD_KERNEL = 'ContrastiveGruSequenceGrad';

/** The gates' activation f: the logistic sigmoid, or tfjs-layers' `hardSigmoid` (clip(0.2 a + 0.5, 0, 1)). */
export type GruRecurrentActivation = 'sigmoid' | 'hardSigmoid';

/** The attributes of both kernels. */
export interface GruSequenceAttrs {
  recurrentActivation: GruRecurrentActivation;
}

export interface GruSequenceOptions {
  /**
   * Activation of the update and reset gates. @default 'sigmoid' (Cho et al. 2014; PyTorch;
   * tfjs-layers' GRU defaults to 'hardSigmoid')
   */
  recurrentActivation?: GruRecurrentActivation;
}

/** Whether the active backend runs the GRU in one kernel each way (else the tf-ops path runs). */
export function hasGruSequenceKernel(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(GRU_SEQUENCE_KERNEL, backend) !== undefined && tf.getKernel(GRU_SEQUENCE_GRAD_KERNEL, backend) !== undefined;
}

type Saver = (tensors: tf.Tensor[]) => void;
/** What the forward pass saves: every h [T, B, U], [z, r] [T, B, 2U], h~ [T, B, U], then the inputs x, kernel, recurrent kernel. */
type Saved = [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];

/**
 * `x [B, T, D]` -> every hidden state `[B, T, U]`, differentiable with respect to all four inputs.
 * Leak-free: intermediates live inside the op (the ones the backward pass needs are saved on the tape).
 */
export function gruSequence(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  { recurrentActivation = 'sigmoid' }: GruSequenceOptions = {},
): tf.Tensor3D {
  const fused =
    hasGruSequenceKernel() &&
    [x, kernel, recurrentKernel, bias].every((t) => t.dtype === 'float32' && t.size > 0) &&
    x.rank === 3 &&
    recurrentKernel.rank === 2;
  if (!fused) return gruOps[recurrentActivation](x, kernel, recurrentKernel, bias) as tf.Tensor3D;
  const attrs: GruSequenceAttrs = { recurrentActivation };
  return tf.tidy(() => {
    // the gates output is saved on the tape for the gradient (a kept clone) and disposed here
    const [h] = tf
      .engine()
      .runKernel(GRU_SEQUENCE_KERNEL, { x, kernel, recurrentKernel, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return h as tf.Tensor3D;
  });
}

tf.registerGradient({
  kernelName: GRU_SEQUENCE_KERNEL,
  inputsToSave: ['x', 'kernel', 'recurrentKernel'],
  outputsToSave: [true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor3D;
    const [x, kernel, rk, h, gates] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
    const { recurrentActivation } = attrs as unknown as GruSequenceAttrs;
    const [dx, dKernel, dRk, dBias] =
      tf.getKernel(GRU_SEQUENCE_GRAD_KERNEL, tf.getBackend()) !== undefined
        ? (tf
            .engine()
            .runKernel(GRU_SEQUENCE_GRAD_KERNEL, { dy, x, kernel, recurrentKernel: rk, h, gates }, attrs as tf.NamedAttrMap) as tf.Tensor[])
        : tf.tidy(() => {
            // the kernel's outputs in the tf-ops backward pass's layout (time-major)
            const u = rk.shape[0]!;
            const timeMajor = (t: tf.Tensor3D, col: number, width: number): tf.Tensor3D =>
              tf.transpose(tf.slice(t, [0, 0, col], [-1, -1, width]), [1, 0, 2]);
            const s: Saved = [timeMajor(h, 0, u), timeMajor(gates, 0, 2 * u), timeMajor(gates, 2 * u, u), x, kernel, rk];
            return gruBackward(dy, s, recurrentActivation);
          });
    return { x: () => dx!, kernel: () => dKernel!, recurrentKernel: () => dRk!, bias: () => dBias! };
  },
});

/** The gate activation as tf ops (tfjs-layers' hardSigmoid: add(0.5, mul(0.2, a)), clipped to [0, 1]). */
function gateOp(a: tf.Tensor, activation: GruRecurrentActivation): tf.Tensor {
  return activation === 'sigmoid' ? tf.sigmoid(a) : tf.clipByValue(tf.add(0.5, tf.mul(0.2, a)), 0, 1);
}

/** d gate / d pre-activation from the gate's value g: g (1 - g), or 0.2 where the hard sigmoid is not clipped. */
function gateGrad(g: tf.Tensor, activation: GruRecurrentActivation): tf.Tensor {
  if (activation === 'sigmoid') return tf.mul(g, tf.sub(1, g));
  return tf.mul(tf.cast(tf.logicalAnd(tf.greater(g, 0), tf.less(g, 1)), 'float32'), 0.2);
}

const makeGruOp = (activation: GruRecurrentActivation) =>
  tf.customGrad(((...args: (tf.Tensor | Saver)[]) => {
    const [x, kernel, rk, bias, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, Saver];
    const [b, t, d] = x.shape;
    const u = rk.shape[0]!;
    const xT = tf.reshape(tf.transpose(x, [1, 0, 2]), [t * b, d]); // [T*B, D], time-major
    const rZr = tf.slice(rk, [0, 0], [u, 2 * u]); // [U, 2U]: z and r together
    const rH = tf.slice(rk, [0, 2 * u], [u, u]); // [U, U]
    // input projections of every step at once, one slice per step afterwards (Unpack)
    const proj = (col: number, width: number): tf.Tensor2D[] =>
      tf.unstack(
        tf.reshape(tf.fused.matMul({ a: xT, b: tf.slice(kernel, [0, col], [d, width]), bias: tf.slice(bias, [col], [width]) }), [
          t,
          b,
          width,
        ]),
      ) as tf.Tensor2D[];
    const xZr = proj(0, 2 * u); // T x [B, 2U]
    const xH = proj(2 * u, u); // T x [B, U]
    const zrs: tf.Tensor2D[] = [];
    const hhs: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D = tf.zeros([b, u]);
    for (let i = 0; i < t; i++) {
      const zr = gateOp(tf.add(xZr[i]!, tf.matMul(h, rZr)), activation) as tf.Tensor2D; // [B, 2U]
      const [z, r] = tf.split(zr, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const hh = tf.tanh(tf.add(xH[i]!, tf.matMul(tf.mul(r, h), rH)) as tf.Tensor2D); // [B, U]
      h = tf.add(hh, tf.mul(z, tf.sub(h, hh))) as tf.Tensor2D; // z h + (1 - z) h~
      zrs.push(zr);
      hhs.push(hh);
      hs.push(h);
    }
    const H = tf.stack(hs) as tf.Tensor3D; // [T, B, U]
    const ZR = tf.stack(zrs) as tf.Tensor3D; // [T, B, 2U]
    const HH = tf.stack(hhs) as tf.Tensor3D; // [T, B, U]
    // what the backward pass reads goes through `save` (kept on the tape); a closure over `x` would
    // see it disposed when the op runs inside a scope that ends before back-propagation (a model's call)
    save([H, ZR, HH, x, kernel, rk]);
    return {
      value: tf.transpose(H, [1, 0, 2]) as tf.Tensor3D, // [B, T, U]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => gruBackward(dy as tf.Tensor3D, saved as Saved, activation),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);

/** The tf-ops path, one custom-gradient op per gate activation. */
const gruOps = { sigmoid: makeGruOp('sigmoid'), hardSigmoid: makeGruOp('hardSigmoid') };

/** Gradients with respect to x, kernel, recurrent kernel and bias from dL/dh for every step `dy [B, T, U]`. */
function gruBackward(dy: tf.Tensor3D, [H, ZR, HH, x, kernel, rk]: Saved, activation: GruRecurrentActivation): tf.Tensor[] {
  const [b, t, d] = x.shape;
  const u = rk.shape[0]!;
  const rZr = tf.slice(rk, [0, 0], [u, 2 * u]);
  const rH = tf.slice(rk, [0, 2 * u], [u, u]);
  const zeros = tf.zeros([1, b, u]);
  const hPrev = t === 1 ? zeros : tf.concat([zeros, tf.slice(H, [0, 0, 0], [t - 1, b, u])], 0); // [T, B, U]
  const [Z, R] = tf.split(ZR, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
  // per-step factors, for all steps at once:
  //   da_h = dh (1 - z)(1 - h~^2);  [da_z, da_r] = [dh, d(r h)] ⊙ f'([z, r]) ⊙ [h - h~, h]
  const fH = tf.unstack(tf.mul(tf.sub(1, Z), tf.sub(1, tf.square(HH)))) as tf.Tensor2D[];
  const fZr = tf.unstack(tf.mul(gateGrad(ZR, activation), tf.concat([tf.sub(hPrev, HH), hPrev], 2))) as tf.Tensor2D[];
  const zs = tf.unstack(Z) as tf.Tensor2D[];
  const rs = tf.unstack(R) as tf.Tensor2D[];
  const dC = tf.unstack(tf.transpose(dy, [1, 0, 2])) as tf.Tensor2D[]; // T x [B, U]
  const daZr: tf.Tensor2D[] = new Array(t);
  const daH: tf.Tensor2D[] = new Array(t);
  let carry: tf.Tensor2D | undefined; // dL/dh_{i} from step i + 1
  for (let i = t - 1; i >= 0; i--) {
    const dh: tf.Tensor2D = carry === undefined ? dC[i]! : tf.add(dC[i]!, carry);
    const dah: tf.Tensor2D = tf.mul(dh, fH[i]!); // [B, U]
    const drh = tf.matMul(dah, rH, false, true); // dL/d(r ⊙ h_prev), [B, U]
    const dazr: tf.Tensor2D = tf.mul(tf.concat([dh, drh], 1), fZr[i]!); // [B, 2U]
    if (i > 0) carry = tf.addN([tf.mul(dh, zs[i]!), tf.mul(drh, rs[i]!), tf.matMul(dazr, rZr, false, true)]) as tf.Tensor2D;
    daZr[i] = dazr;
    daH[i] = dah;
  }
  const dZr = tf.reshape(tf.stack(daZr), [t * b, 2 * u]);
  const dH = tf.reshape(tf.stack(daH), [t * b, u]);
  const dA = tf.concat([dZr, dH], 1); // [T*B, 3U], time-major rows
  const xT = tf.reshape(tf.transpose(x, [1, 0, 2]), [t * b, d]);
  const dKernel = tf.matMul(xT, dA, true, false); // [D, 3U]
  const dBias = tf.sum(dA, 0); // [3U]
  const dRk = tf.concat(
    [
      tf.matMul(tf.reshape(hPrev, [t * b, u]), dZr, true, false), // [U, 2U]
      tf.matMul(tf.reshape(tf.mul(R, hPrev), [t * b, u]), dH, true, false), // [U, U]
    ],
    1,
  );
  const dX = tf.transpose(tf.reshape(tf.matMul(dA, kernel, false, true), [t, b, d]), [1, 0, 2]); // [B, T, D]
  return [dX, dKernel, dRk, dBias];
}
