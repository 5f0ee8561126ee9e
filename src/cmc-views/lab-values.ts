/**
 * Normalised Lab of an RGB batch for the L and ab views. On the CPU-class backends (cpu, native,
 * wasm) the conversion runs as one plain loop over the pixels: the tensor version
 * (`labNormalize(rgbToLab(x))`, src/augment/lab.ts) takes ~1.5 s per 256 CIFAR images there
 * (element-wise `pow`/`where` kernels), the loop ~0.05 s. The result of the last input is kept, so
 * the L and ab views of one batch convert it once. Other backends (webgl, webgpu, tensorflow) use
 * the tensor version. Both follow the same formulas and constants (tested to agree).
 *
 * The loop needs the pixels on the host. `normalizedLab` reads them synchronously (`dataSync`: a
 * copy on these backends, no GPU to wait for); a training step reads them first with
 * `readLabValues` (`await data()`) and hands them over with `useLabValues`, so that the step
 * reads nothing synchronously (src/methods/cmc.ts).
 */
import * as tf from '../tf.js';
import { CMC_LAB_MEAN, CMC_LAB_STD, D65_WHITE, labNormalize, rgbToLab } from '../augment/lab.js';
import { assertImages } from './image-input.js';

/** Why the Lab views refuse grey images (in their ShapeError). */
export const LAB_INPUT_WHY = 'RGB: the Lab views need colour, a grey image has no a and b';

const LOOP_BACKENDS = new Set(['cpu', 'native', 'wasm']);

/**
 * Last input's tensor id and its normalised Lab values: the L and ab views of one step run in one
 * synchronous job, and a microtask drops the values when that job ends (150 MB for 256 images of
 * 224x224). Not a WeakRef: V8 keeps every WeakRef target created during a job alive until the job
 * ends, so a synchronous training loop (1,000 steps, never awaiting) kept every batch's values
 * (bench/soak.ts: +12 KiB per step for 16 8x8 images, RSS +7.7% over 1,000 CMC steps).
 */
let last: { id: number; values: Float32Array } | undefined;
let dropScheduled = false;

function remember(id: number, values: Float32Array): void {
  last = { id, values };
  if (dropScheduled) return;
  dropScheduled = true;
  queueMicrotask(() => {
    last = undefined;
    dropScheduled = false;
  });
}

const EPSILON = (6 / 29) ** 3;
const SLOPE = 1 / (3 * (6 / 29) ** 2);

/** sRGB companding inverse (IEC 61966-2-1), input clamped to [0, 1]. */
function linear(c: number): number {
  const v = c < 0 ? 0 : c > 1 ? 1 : c;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

function f(t: number): number {
  return t > EPSILON ? Math.cbrt(t) : t * SLOPE + 16 / 116;
}

/** Normalised Lab (CMC_LAB_MEAN / CMC_LAB_STD) of interleaved RGB values, 3 per pixel. */
export function normalizedLabValues(rgb: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rgb.length);
  const [wx, , wz] = D65_WHITE;
  const [mL, mA, mB] = CMC_LAB_MEAN;
  const [sL, sA, sB] = CMC_LAB_STD;
  for (let p = 0; p < rgb.length; p += 3) {
    const r = linear(rgb[p]!);
    const g = linear(rgb[p + 1]!);
    const b = linear(rgb[p + 2]!);
    // sRGB -> XYZ (the matrix of src/augment/lab.ts), white-normalised
    const fx = f((0.412453 * r + 0.35758 * g + 0.180423 * b) / wx);
    const fy = f(0.212671 * r + 0.71516 * g + 0.072169 * b);
    const fz = f((0.019334 * r + 0.119193 * g + 0.950227 * b) / wz);
    out[p] = (116 * fy - 16 - mL) / sL;
    out[p + 1] = (500 * (fx - fy) - mA) / sA;
    out[p + 2] = (200 * (fy - fz) - mB) / sB;
  }
  return out;
}

/** Channels 0..2 of interleaved values, 3 per pixel: `[from, from + count)` of each pixel. */
function channels(values: Float32Array, from: number, count: number): Float32Array {
  const n = values.length / 3;
  const out = new Float32Array(n * count);
  for (let p = 0, o = 0; p < n; p++) for (let c = 0; c < count; c++) out[o++] = values[p * 3 + from + c]!;
  return out;
}

/**
 * `[B, H, W, 3]` RGB in [0, 1] -> normalised Lab channels `[from, from + count)` as a new tensor
 * `[B, H, W, count]` (`0, 1`: L; `1, 2`: ab).
 */
export function normalizedLab(x: tf.Tensor4D, from = 0, count = 3): tf.Tensor4D {
  const [b, h, w] = x.shape;
  if (!LOOP_BACKENDS.has(tf.getBackend())) return tf.tidy(() => tf.slice(labNormalize(rgbToLab(x)), [0, 0, 0, from], [-1, -1, -1, count]));
  let values: Float32Array;
  if (x instanceof tf.Variable)
    values = normalizedLabValues(x.dataSync()); // its values can change under one id: no cache
  else {
    const cached = last?.id === x.id ? last.values : undefined;
    values = cached ?? normalizedLabValues(x.dataSync());
    if (cached === undefined) remember(x.id, values);
  }
  return tf.tensor4d(count === 3 ? values.slice() : channels(values, from, count), [b, h, w, count]);
}

/**
 * The normalised Lab values of `x` read asynchronously, where `normalizedLab` converts on the host
 * (cpu, native, wasm); undefined on the other backends (tensor ops, nothing to read). Checks `x`
 * synchronously as the Lab view `viewName` does (a ShapeError naming it).
 */
export function readLabValues(x: tf.Tensor, viewName: string): Promise<Float32Array> | undefined {
  assertImages(x, viewName, [3], LAB_INPUT_WHY);
  if (!LOOP_BACKENDS.has(tf.getBackend()) || x instanceof tf.Variable) return undefined;
  return x.data().then((v) => normalizedLabValues(v as Float32Array));
}

/**
 * Makes `values` (from `readLabValues(x)`) the Lab of `x` for the Lab views run in the current
 * synchronous job: call it right before them, after the last `await`.
 */
export function useLabValues(x: tf.Tensor, values: Float32Array): void {
  remember(x.id, values);
}
