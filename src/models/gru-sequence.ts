/**
 * A GRU over a whole sequence as one differentiable op with a hand-written backward pass
 * (back-propagation through time), for `SequenceGru`. The cell is Keras' reset-before variant
 * (that of `tf.layers.gru`), weights `kernel [D, 3U]`, `recurrent_kernel [U, 3U]`, `bias [3U]` in
 * z, r, h order:
 *   z = σ(x W_z + h U_z + b_z), r = σ(x W_r + h U_r + b_r), h~ = tanh(x W_h + (r ⊙ h) U_h + b_h),
 *   h' = z ⊙ h + (1 - z) ⊙ h~, h_0 = 0.
 *
 * Why by hand: tfjs' automatic gradient records every op of the recurrence and adds several
 * per op on the way back (broadcast checks, reshapes, identities). Here the forward pass is 11 ops
 * per time step (z and r from one product), the backward pass 9, and the weight gradients are
 * three matrix products over all steps at once instead of one per step: a CPC step on ECG200's
 * shape dispatches 921 kernels instead of 3,005 (BENCHMARKS.md, CPC on short series: step time).
 */
import * as tf from '../tf.js';

type Saver = (tensors: tf.Tensor[]) => void;
/** What the forward pass saves: every h [T, B, U], [z, r] [T, B, 2U], h~ [T, B, U], then the inputs x, kernel, recurrent kernel. */
type Saved = [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];

/**
 * `x [B, T, D]` -> every hidden state `[B, T, U]`, differentiable with respect to all four inputs.
 * Leak-free: intermediates live inside the op (the ones the backward pass needs are saved on the tape).
 */
export function gruSequence(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  return gruOp(x, kernel, recurrentKernel, bias) as tf.Tensor3D;
}

const gruOp = tf.customGrad(((...args: (tf.Tensor | Saver)[]) => {
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
    const zr = tf.sigmoid(tf.add(xZr[i]!, tf.matMul(h, rZr)) as tf.Tensor2D); // [B, 2U]
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
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => gruBackward(dy as tf.Tensor3D, saved as Saved),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Gradients with respect to x, kernel, recurrent kernel and bias from dL/dh for every step `dy [B, T, U]`. */
function gruBackward(dy: tf.Tensor3D, [H, ZR, HH, x, kernel, rk]: Saved): tf.Tensor[] {
  const [b, t, d] = x.shape;
  const u = rk.shape[0]!;
  const rZr = tf.slice(rk, [0, 0], [u, 2 * u]);
  const rH = tf.slice(rk, [0, 2 * u], [u, u]);
  const zeros = tf.zeros([1, b, u]);
  const hPrev = t === 1 ? zeros : tf.concat([zeros, tf.slice(H, [0, 0, 0], [t - 1, b, u])], 0); // [T, B, U]
  const [Z, R] = tf.split(ZR, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
  // per-step factors, for all steps at once:
  //   da_h = dh (1 - z)(1 - h~^2);  [da_z, da_r] = [dh, d(r h)] ⊙ σ'([z, r]) ⊙ [h - h~, h]
  const fH = tf.unstack(tf.mul(tf.sub(1, Z), tf.sub(1, tf.square(HH)))) as tf.Tensor2D[];
  const fZr = tf.unstack(tf.mul(tf.mul(ZR, tf.sub(1, ZR)), tf.concat([tf.sub(hPrev, HH), hPrev], 2))) as tf.Tensor2D[];
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
