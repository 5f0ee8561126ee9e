import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { loadAddon } from '../../../src/node/native/addon.js';
import { lazyStats } from '../../../src/node/native/lazy-channel.js';
import { assertClose, randn } from '../../support/tensors.js';
import { compareWithCpu, skip } from './harness.js';

// Shapes of at least LAZY_MIN (16384) elements, so that the kernels return lazy terms; the last has
// more than 2^19 (native/common.h kParallelMin): the addon's multi-thread loops.
const SHAPES = [
  [4, 8, 8, 96],
  [64, 16, 16, 32],
];

/** Runs `fn` and returns how many lazy tensors it made and evaluated. */
function counting(fn: () => void): { made: number; evaluated: number } {
  const made = lazyStats.made, evaluated = lazyStats.evaluated;
  fn();
  return { made: lazyStats.made - made, evaluated: lazyStats.evaluated - evaluated };
}

test('BatchNorm through tf.moments (values and gradients) matches cpu, with lazy terms instead of full-size passes', { skip }, () => {
  for (const shape of SHAPES) {
    const c = shape[3]!;
    const stats = counting(() =>
      compareWithCpu(`moments + batchNorm ${JSON.stringify(shape)}`, [{ shape, seed: 1, scale: 3 }, { shape: [c], seed: 2 }, { shape: [c], seed: 3 }],
        (x, gamma, beta) => {
          const { mean, variance } = tf.moments(tf.add(x!, 5), [0, 1, 2]); // a mean of 5: the variance must not cancel
          return tf.batchNorm(tf.add(x!, 5) as tf.Tensor4D, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5);
        }, { rtol: 1e-3, atol: 1e-4, kernels: ['Mean', 'Sub', 'Square', 'FusedBatchNorm', 'NativeBatchNormGrad', 'NativeMeanGrad', 'NativeSquareGrad'] }));
    // forward: Sub, Square and Add(x, 5) lazy; backward: two Mean gradients, Square's, and the sums into dx
    assert.ok(stats.made >= 6, `${JSON.stringify(shape)}: ${stats.made} lazy tensors made`);
    assert.ok(stats.evaluated < stats.made, `${JSON.stringify(shape)}: every lazy tensor was evaluated (${stats.evaluated} of ${stats.made})`);
  }
});

test('tfjs-layers BatchNormalization in training mode matches cpu (output and input gradient)', { skip }, () => {
  const shape = [16, 8, 8, 32];
  const x0 = randn(shape.reduce((a, b) => a * b, 1), 4);
  const run = (backend: string): Float32Array[] => {
    void tf.setBackend(backend);
    const layer = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
    const out = tf.tidy(() => {
      const x = tf.tensor4d(x0, shape as [number, number, number, number]);
      const w = tf.tensor4d(randn(x.size, 5), x.shape);
      const f = (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training: true }) as tf.Tensor, w));
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      return [y.dataSync(), tf.grad(f)(x).dataSync(), layer.getWeights()[2]!.dataSync()].map((a) => Float32Array.from(a));
    });
    layer.dispose();
    return out;
  };
  const want = run('cpu');
  const before = tf.memory().numTensors;
  const made = lazyStats.made;
  const got = run('native');
  assert.equal(tf.memory().numTensors, before, 'tensors leaked on native');
  assert.ok(lazyStats.made > made, 'no lazy tensor on native');
  void tf.setBackend('cpu');
  ['output', 'input gradient', 'moving mean'].forEach((what, i) => assertClose(got[i]!, want[i]!, 1e-3, 1e-4, what));
});

test('per-channel Add, Sub, Multiply, Neg and Square chains, their sums and gradients match cpu', { skip }, () => {
  for (const shape of SHAPES) {
    const c = shape[3]!;
    const inputs = [{ shape, seed: 10 }, { shape: [1, 1, 1, c], seed: 11 }, { shape: [c], seed: 12 }, { shape, seed: 13 }];
    const cases: [string, (x: tf.Tensor, p: tf.Tensor, q: tf.Tensor, d: tf.Tensor) => tf.Tensor][] = [
      ['p - x, * q, neg', (x, p, q) => tf.neg(tf.mul(q, tf.sub(p, x)))],
      ['(x * q + p) * 2, squared', (x, p, q) => tf.square(tf.mul(tf.add(tf.mul(x, q), p), 2))],
      ['mean over the leading axes of a square, keepDims', (x, p) => tf.mul(tf.mean(tf.square(tf.sub(x, p)), [0, 1, 2], true), x)],
      ['sum over the leading axes, and over other axes (evaluated)', (x, p, q) => {
        const t = tf.add(x, q);
        return tf.add(tf.mul(tf.sum(t, [0, 1, 2]), 0.01), tf.sum(t, [1, 2], true));
      }],
      ['sum over the leading axes from the sums Mean recorded', (x, p) => {
        const m = tf.mean(x, [0, 1, 2]);
        return tf.add(tf.mul(tf.sum(tf.mul(tf.add(x, p), p), [0, 1, 2]), 1e-3), m);
      }],
      ['dense + lazy, lazy - dense, lazy + lazy of two bases', (x, p, q, d) => tf.add(tf.sub(tf.add(d, tf.mul(x, q)), d), tf.add(tf.sub(x, p), tf.mul(d, q)))],
      ['(dense + lazy) * per-channel: the dense part scaled', (x, p, q, d) => tf.mul(tf.add(d, tf.mul(x, q)), p)],
      ['batchNorm with given statistics: its dx a lazy term over dy', (x, p, q, d) =>
        tf.batchNorm(tf.mul(d, x) as tf.Tensor4D, tf.reshape(p, [-1]) as tf.Tensor1D, tf.add(tf.abs(q), 0.5) as tf.Tensor1D, tf.mul(q, 2) as tf.Tensor1D, q as tf.Tensor1D, 1e-3)],
      ['three bases: falls back to evaluating', (x, p, q, d) => tf.add(tf.add(tf.mul(x, q), tf.mul(d, q)), tf.mul(tf.exp(tf.mul(x, 0.1)), p))],
      ['reshaped to another last axis, then per-channel again', (x, p) => {
        const t = tf.reshape(tf.sub(x, p), [shape[0]!, -1, 16]);
        return tf.mul(t, tf.reshape(tf.range(0, 16), [1, 1, 16]));
      }],
    ];
    // every input reaches the output (tf.grads needs a path from each), unused ones through a zero
    const all = (x: tf.Tensor, p: tf.Tensor, q: tf.Tensor, d: tf.Tensor): tf.Tensor => tf.add(tf.add(tf.mul(tf.sum(p), 0), tf.mul(tf.sum(q), 0)), tf.mul(tf.sum(d), 0));
    for (const [what, fn] of cases) {
      compareWithCpu(`${what} ${JSON.stringify(shape)}`, inputs, (x, p, q, d) => tf.add(fn(x!, p!, q!, d!), all(x!, p!, q!, d!)), { rtol: 1e-3, atol: 1e-4 });
    }
  }
});

test('a lazy tensor whose base was disposed still reads its own values (the pool holds the buffer)', { skip }, () => {
  void tf.setBackend('native');
  const before = tf.memory().numTensors;
  const shape = [8, 16, 16, 32];
  const x = tf.tensor4d(randn(65536, 20), shape as [number, number, number, number]);
  const base = tf.relu(x); // a pooled buffer
  const p = tf.tensor1d(randn(32, 21));
  const lazy = tf.sub(base, p);
  const want = tf.tidy(() => {
    void tf.setBackend('cpu');
    const r = tf.sub(tf.relu(tf.tensor4d(x.arraySync())), tf.tensor1d(p.arraySync() as number[])).dataSync();
    void tf.setBackend('native');
    return Float32Array.from(r);
  });
  base.dispose();
  // same-size outputs that would take base's buffer if the pool handed it out
  const others = [0, 1, 2].map(() => tf.tidy(() => tf.relu(tf.neg(x))));
  const stats = counting(() => assertClose(lazy.dataSync(), want, 1e-6, 1e-6, 'lazy values'));
  assert.equal(stats.evaluated, 1);
  tf.dispose([x, p, lazy, ...others]);
  // an unevaluated lazy tensor is dropped with its tensor
  const dropped = lazyStats.dropped;
  tf.tidy(() => {
    tf.square(tf.sub(tf.ones(shape), tf.ones([32])));
  });
  assert.equal(lazyStats.dropped, dropped + 2);
  assert.equal(tf.memory().numTensors, before);
  void tf.setBackend('cpu');
});

test('channelAffine and channelAffineSum check their buffers', { skip }, () => {
  const addon = loadAddon()!;
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => addon.channelAffine(f(11), 3, 4, null, f(4), f(12), f(4), f(4), false), /channelAffine out has 11 elements, needs 12/);
  assert.throws(() => addon.channelAffine(f(12), 3, 4, null, f(4), f(12), f(3), f(4), false), /alpha has 3 elements, needs 4/);
  assert.throws(() => addon.channelAffine(f(12), 3, 4, null, f(2), f(12), f(4), f(4), false), /gamma has 2 elements, needs 4/);
  assert.throws(() => addon.channelAffine(f(12), 3, 4, f(12), f(4), f(12), f(4), f(4), true), /squared term has no dense part/);
  assert.throws(() => addon.channelAffineSum(f(4), 3, 4, f(11), f(4), null, f(4), f(4), false, 1), /dense has 11 elements, needs 12/);
  assert.throws(() => addon.channelAffineSum(f(4), 3, 0, null, f(4), null, f(4), f(4), false, 1), /C must be >= 1/);
  // values: v = gamma * dense + alpha * base + beta, and (alpha * base + beta)^2 summed per channel
  const out = f(4);
  addon.channelAffine(out, 2, 2, Float32Array.of(1, 2, 3, 4), Float32Array.of(1, -1), Float32Array.of(1, 1, 2, 2), Float32Array.of(2, 3), Float32Array.of(0, 1), false);
  assert.deepEqual([...out], [3, 2, 7, 3]);
  const sums = f(2);
  addon.channelAffineSum(sums, 2, 2, null, f(2), Float32Array.of(1, 1, 2, 2), Float32Array.of(2, 3), Float32Array.of(0, 1), true, 0.5);
  assert.deepEqual([...sums], [(4 + 16) / 2, (16 + 49) / 2]);
});

test('CONTRASTIVE_NATIVE_LAZY=0 turns lazy tensors off', { skip }, () => {
  const script = `
    import * as tf from './src/tf.js';
    import { registerNativeBackend } from './src/node/native/native-backend.js';
    import { lazyStats } from './src/node/native/lazy-channel.js';
    registerNativeBackend(1);
    await tf.setBackend('native');
    tf.tidy(() => tf.moments(tf.ones([8, 16, 16, 32]), [0, 1, 2]).variance.dataSync());
    console.log(lazyStats.made);`;
  const run = (lazy: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, CONTRASTIVE_NATIVE_LAZY: lazy },
    });
  const off = run('0'), on = run('1');
  assert.equal(off.status, 0, off.stderr);
  assert.equal(off.stdout.trim().split('\n').pop(), '0');
  assert.equal(on.stdout.trim().split('\n').pop(), '2'); // Sub and Square
});
