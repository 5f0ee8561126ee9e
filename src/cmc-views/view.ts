/**
 * Views for Contrastive Multiview Coding (CMC, Tian et al. 2019, https://arxiv.org/abs/1906.05849):
 * a view is a deterministic function from a batch of (already augmented) samples to a tensor whose
 * row b is the view of sample b. CMC contrasts the views of one sample against the views of other
 * samples, so the model learns what the views share.
 *
 * A `View` carries a name (used in every error message) and its function. The built-in views
 * (`labL`, `labAb`, `gradient`, `halfLuminance`) also carry a `spec`, so that an encoder that
 * contains them can be saved and loaded (`ViewLayer`); a user view is any `(x) => tensor`.
 */
import * as tf from '../tf.js';
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { describe, formatShape } from '../validate.js';

/** `x` `[B, ...]` -> a new tensor `[B, ...]` (row b from sample b). Never disposes `x`; leaks nothing. */
export type ViewFunction = (x: tf.Tensor) => tf.Tensor;

/** The names of the built-in views, as the CLI spells them. */
export const BUILTIN_VIEWS = ['lab-l', 'lab-ab', 'gradient', 'half-luminance'] as const;
export type BuiltinViewName = (typeof BUILTIN_VIEWS)[number];

/** How to rebuild a built-in view: its name and options (JSON). */
export interface ViewSpec {
  name: BuiltinViewName;
  options?: Record<string, unknown>;
}

export interface View {
  /** Used in error messages and layer names (`lab-l`, `my-depth-view`). */
  readonly name: string;
  /** The view of a batch. */
  readonly apply: ViewFunction;
  /** Present on built-in views: how to rebuild it after loading a saved encoder. */
  readonly spec?: ViewSpec;
}

/** A user view from a name and a function. */
export function view(name: string, apply: ViewFunction): View {
  if (typeof name !== 'string' || name === '') throw new ConfigError('view', 'name', `must be a non-empty string, got ${describe(name)}`);
  if (typeof apply !== 'function') throw new ConfigError('view', 'apply', `must be a function (x) => tensor, got ${describe(apply)}`);
  return { name, apply };
}

/** A View, or a plain function (named after `fn.name`, else `view <i>`). */
export function toView(v: View | ViewFunction, index: number, fn = 'cmc'): View {
  if (typeof v === 'function') return { name: v.name !== '' && v.name !== 'apply' ? v.name : `view ${index + 1}`, apply: v };
  if (v !== null && typeof v === 'object' && typeof v.apply === 'function' && typeof v.name === 'string') return v;
  throw new ConfigError(fn, `views[${index}]`, `must be a View ({ name, apply }) or a function (x) => tensor, got ${describe(v)}`);
}

/**
 * Runs `view` on `x` and checks what it returns: a float32 tensor with the same batch size as `x`
 * and only finite values (one scalar read). Throws a typed error naming the view; on error the
 * view's output is disposed.
 * @throws ShapeError (not a tensor, wrong batch size, wrong dtype), DataError (NaN or infinite values)
 */
export function applyView(v: View, x: tf.Tensor, fn = 'cmc', { checkValues = true }: { checkValues?: boolean } = {}): tf.Tensor {
  const where = `${fn} view '${v.name}'`;
  const out = tf.tidy(() => v.apply(x)); // a user view's intermediates are freed too
  if (!(out instanceof tf.Tensor)) throw new ShapeError(where, 'output', `must be a tensor, got ${describe(out)}`);
  try {
    if (out === x)
      throw new ShapeError(where, 'output', 'must be a new tensor, got its input back (return tf.clone(x) for an identity view)');
    if (out.rank < 2 || out.shape[0] !== x.shape[0]) {
      throw new ShapeError(
        where,
        'output',
        `must keep the batch size ${x.shape[0]} as its first axis, got shape ${formatShape(out.shape)} for input ${formatShape(x.shape)}`,
      );
    }
    if (out.dtype !== 'float32') throw new ShapeError(where, 'output', `must have dtype float32, got ${out.dtype}`);
    if (checkValues) {
      const probe = finiteProbe(out);
      const ok = Number.isFinite(probe.dataSync()[0]!);
      probe.dispose();
      if (!ok) throw notFinite(v, x.shape, fn);
    }
    return out;
  } catch (err) {
    if (out !== x) out.dispose();
    throw err;
  }
}

/** 0 when every value of `t` is finite, NaN otherwise. */
function finiteProbe(t: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(t, 0)));
}

function notFinite(v: View, inputShape: readonly number[], fn: string): DataError {
  return new DataError(`${fn} view '${v.name}'`, 'output', `must be finite, got NaN or infinite values (input ${formatShape(inputShape)})`);
}

/**
 * The finiteness check of `applyView` for outputs made with `checkValues: false`, read back
 * asynchronously (a training step's way): rejects with the DataError naming the first bad view.
 */
export async function assertFiniteViews(
  views: readonly View[],
  outputs: readonly tf.Tensor[],
  inputShape: readonly number[],
  fn = 'cmc',
): Promise<void> {
  const probes = tf.tidy(() => tf.stack(outputs.map(finiteProbe)));
  let values: Float32Array;
  try {
    values = (await probes.data()) as Float32Array;
  } finally {
    probes.dispose();
  }
  const bad = Array.from(values).findIndex((p) => !Number.isFinite(p));
  if (bad >= 0) throw notFinite(views[bad]!, inputShape, fn);
}

/** Shape of one sample of a view's output for samples of `sampleShape` (runs the view once on a batch of 2 zero samples). */
export function viewSampleShape(v: View, sampleShape: readonly number[], fn = 'cmc'): number[] {
  const x = tf.zeros([2, ...sampleShape]);
  try {
    const out = applyView(v, x, fn);
    const shape = out.shape.slice(1);
    out.dispose();
    return shape;
  } finally {
    x.dispose();
  }
}
