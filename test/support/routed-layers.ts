/**
 * Helpers of the routed recurrent layer tests (test/node/native/gru-layer.test.ts,
 * lstm-layer.test.ts): a one-layer model, its outputs and gradients, and the comparison of a
 * layer on the native backend (routed to its sequence kernels) with the same layer on cpu
 * (tfjs-layers' own call).
 */
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { nativeCalls } from '../../src/node/native/kernel-utils.js';
import { assertClose, randn } from './tensors.js';
import { buildLayersModel, type LayersModelArch } from '../../src/models/layers-model-arch.js';

/** A one-layer model of `layer` over [T, D] sequences. */
export function modelOf(layer: tf.layers.Layer, t: number, d: number): tf.LayersModel {
  const input = tf.input({ shape: [t, d] });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
}

/** Outputs, and gradients of sum(y * w) with respect to x and every weight. */
export function outputsAndGrads(model: tf.LayersModel, x: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const y = model.apply(x, { training: true }) as tf.Tensor;
    const w = tf.tensor(randn(y.size, 77), y.shape);
    const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, vars);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(model.apply(xx, { training: true }) as tf.Tensor, w)))(x);
    return [y, dx, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
  });
}

/** A one-layer model of `make()` on `backend` (weights from `weights` if given): its outputs and gradients (leak-free), and its weights. */
async function on(
  backend: string,
  make: () => tf.layers.Layer,
  [b, t, d]: [number, number, number],
  x: Float32Array,
  weights?: tf.Tensor[],
) {
  await tf.setBackend(backend);
  const model = modelOf(make(), t, d);
  if (weights !== undefined) model.setWeights(weights);
  const xt = tf.tensor3d(x, [b, t, d]);
  const before = tf.memory().numTensors;
  const out = outputsAndGrads(model, xt);
  assert.equal(tf.memory().numTensors, before, 'leak-free');
  const saved = model.getWeights().map((v) => ({ values: v.dataSync().slice(), shape: v.shape })); // plain arrays: no tensor crosses backends
  xt.dispose();
  model.dispose();
  return { out, saved };
}

/** A case of `checkRoutedLayer`: a layer config, its input shape, and whether the kernels compute it. */
export interface RoutedCase {
  what: string;
  make: () => tf.layers.Layer;
  shape: [number, number, number];
  kernel: boolean;
  /** Dropout is random (and tfjs-layers keeps its masks): only check that the layer is left to tfjs-layers. */
  random?: boolean;
}

/**
 * On native, `c.make()` runs the forward and gradient kernels `kernels` when `c.kernel` (else
 * neither), with the outputs and the gradients of x and every weight of the same layer on cpu.
 */
export async function checkRoutedLayer(c: RoutedCase, [forward, gradient]: [string, string]): Promise<void> {
  const [b, t, d] = c.shape;
  const count = (k: string): number => nativeCalls[k] ?? 0;
  if (c.random === true) {
    await tf.setBackend('native');
    const m = modelOf(c.make(), t, d);
    const n = count(forward);
    tf.tidy(() => m.apply(tf.ones([b, t, d]), { training: true }) as tf.Tensor);
    assert.equal(count(forward), n, `${c.what}: not fused`);
    m.dispose();
    return;
  }
  const x = randn(b * t * d, 5);
  const cpu = await on('cpu', c.make, c.shape, x);
  const n = count(forward);
  const g = count(gradient);
  const weights = cpu.saved.map((v) => tf.tensor(v.values, v.shape));
  const native = await on('native', c.make, c.shape, x, weights);
  tf.dispose(weights);
  assert.equal(count(forward) > n, c.kernel, `${c.what}: forward kernel ran`);
  assert.equal(count(gradient) > g, c.kernel, `${c.what}: gradient kernel ran`);
  native.out.forEach((v, i) => assertClose(v, cpu.out[i]!, 1e-4, 1e-5, `${c.what}: ${i === 0 ? 'output' : `gradient ${i - 1}`}`));
}

/**
 * A model of `layer` [8, 3] -> Dense(4), given to `buildLayersModel` as `pretrain --arch` does: on
 * native the built model runs both `kernels`, with the outputs and gradients of the source model
 * on cpu (tfjs-layers' own call), and it saves its recurrent layer under `className`.
 */
export async function checkBuiltLayersModel(
  layer: tf.layers.Layer,
  className: string,
  [forward, gradient]: [string, string],
): Promise<void> {
  await tf.setBackend('native');
  const source = tf.sequential({ layers: [layer, tf.layers.dense({ units: 4 })] });
  const arch: LayersModelArch = {
    source: `test/${className}.json`,
    className: source.getClassName(),
    config: JSON.parse(JSON.stringify(source.getConfig())) as tf.serialization.ConfigDict,
    inputShape: [8, 3],
    inputCount: 1,
    outputShapes: [[null, 4]],
    weights: source.weights.map((w) => ({
      shape: w.shape as number[],
      dtype: 'float32' as const,
      values: w.read().dataSync().slice() as Float32Array,
    })),
  };
  const built = buildLayersModel(arch, { seed: 0 });
  const x = tf.tensor3d(randn(5 * 8 * 3, 9), [5, 8, 3]);
  await tf.setBackend('cpu');
  const want = outputsAndGrads(source, x); // tfjs-layers' own call: no kernel on cpu
  await tf.setBackend('native');
  const count = (k: string): number => nativeCalls[k] ?? 0;
  const n = count(forward);
  const g = count(gradient);
  const got = outputsAndGrads(built, x);
  assert.ok(count(forward) > n && count(gradient) > g, 'the built model runs both kernels');
  got.forEach((v, i) => assertClose(v, want[i]!, 1e-4, 1e-5, i === 0 ? 'output' : `gradient ${i - 1}`));
  const layers = (built.getConfig() as { layers: { className: string }[] }).layers;
  assert.equal(layers[0]!.className, className, `saves as a plain ${className}`);
  x.dispose();
  source.dispose();
  built.dispose();
}
