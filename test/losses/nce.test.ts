import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { nceLoss } from '../../src/losses/nce.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';
import { nceRef, randMat, type Mat } from './reference.js';
import { checkGradients, value } from './helpers.js';

before(() => useBackend());

const loss = (ds: number[], ns: Mat, dl: number[], nl: Mat): number =>
  tf.tidy(() =>
    value(
      nceLoss({ dataScores: tf.tensor1d(ds), noiseScores: tf.tensor2d(ns), dataLogNoise: tf.tensor1d(dl), noiseLogNoise: tf.tensor2d(nl) }),
    ),
  );

/** Random NCE inputs: scores ~ N(0, 1) * scale, log-noise ~ log of probabilities in (0, 1). */
function inputs(n: number, k: number, seed: number, scale = 1): [number[], Mat, number[], Mat] {
  const next = rng(seed);
  const logp = (m: Mat) => m.map((r) => r.map(() => Math.fround(Math.log(0.01 + 0.99 * next()))));
  return [
    randMat(1, n, next)[0]!.map((v) => Math.fround(v * scale)),
    randMat(n, k, next).map((r) => r.map((v) => Math.fround(v * scale))),
    logp([Array(n).fill(0)])[0]!,
    logp(randMat(n, k, next)),
  ];
}

test('nceLoss: matches the naive loop for several N and K', () => {
  for (const [n, k, seed] of [
    [1, 1, 1],
    [5, 1, 2],
    [8, 10, 3],
    [32, 4, 4],
  ] as const) {
    const [ds, ns, dl, nl] = inputs(n, k, seed, 2);
    assertClose(loss(ds, ns, dl, nl), nceRef(ds, ns, dl, nl), 1e-5, 1e-5, `N=${n} K=${k}`);
  }
});

test('nceLoss: closed form, a model equal to k * p_n gives h = 1/2 and loss (K + 1) log 2', () => {
  for (const k of [1, 3, 20]) {
    const dl = [Math.log(0.1), Math.log(0.3)];
    const nl = [Array.from({ length: k }, (_, j) => Math.log(0.05 + 0.01 * j)), Array.from({ length: k }, () => Math.log(0.2))];
    const shift = (v: number) => v + Math.log(k);
    assertClose(
      loss(
        dl.map(shift),
        nl.map((r) => r.map(shift)),
        dl,
        nl,
      ),
      (k + 1) * Math.LN2,
      1e-6,
      1e-6,
      `K=${k}`,
    );
  }
});

test('nceLoss: hand-computed case', () => {
  // N = 1, K = 1, p_n = 1 (log 0): data logit 2, noise logit 0 -> softplus(-2) + softplus(0).
  assertClose(loss([2], [[0]], [0], [[0]]), Math.log1p(Math.exp(-2)) + Math.LN2, 1e-6, 1e-7);
  // K = 2 subtracts log 2 from every logit: data logit 1 - log 2, noise logits -log 2 and 1 - log 2 - 1.
  const expected = Math.log1p(Math.exp(-(1 - Math.LN2))) + Math.log1p(Math.exp(-Math.LN2)) + Math.log1p(Math.exp(-Math.LN2));
  assertClose(loss([1], [[0, 1]], [0], [[0, 1]]), expected, 1e-6, 1e-7);
});

test('nceLoss: stable for extreme scores (no overflow, no log 0)', () => {
  const got = loss(
    [200, -200],
    [
      [300, -300],
      [-250, 250],
    ],
    [0, 0],
    [
      [0, 0],
      [0, 0],
    ],
  );
  assert.ok(Number.isFinite(got), `got ${got}`);
  assertClose(
    got,
    nceRef(
      [200, -200],
      [
        [300, -300],
        [-250, 250],
      ],
      [0, 0],
      [
        [0, 0],
        [0, 0],
      ],
    ),
    1e-5,
    1e-3,
  );
});

test('nceLoss: gradients match finite differences', () => {
  const [n, k] = [4, 3];
  const [ds, ns, dl, nl] = inputs(n, k, 5);
  checkGradients(
    (a, b, c, d) =>
      nceLoss({
        dataScores: tf.reshape(a!, [n]) as tf.Tensor1D,
        noiseScores: b!,
        dataLogNoise: tf.reshape(c!, [n]) as tf.Tensor1D,
        noiseLogNoise: d!,
      }),
    (a, b, c, d) => nceRef(a![0]!, b!, c![0]!, d!),
    [[ds], ns, [dl], nl],
  );
});

test('nceLoss: leaks nothing, returns a scalar', () => {
  const ds = tf.randomNormal([6]) as tf.Tensor1D;
  const ns = tf.randomNormal([6, 4]) as tf.Tensor2D;
  const args = { dataScores: ds, noiseScores: ns, dataLogNoise: ds, noiseLogNoise: ns };
  const out = nceLoss(args);
  assert.deepEqual(out.shape, []);
  out.dispose();
  assertNoLeak(() => nceLoss(args), 'nceLoss');
  assertNoLeak(
    () =>
      tf.dispose(
        tf.grads((a: tf.Tensor, b: tf.Tensor) => nceLoss({ ...args, dataScores: a as tf.Tensor1D, noiseScores: b as tf.Tensor2D }))([
          ds,
          ns,
        ]),
      ),
    'its gradient',
  );
  tf.dispose([ds, ns]);
});

test('nceLoss: bad input throws typed errors naming the argument', () => {
  const d = tf.zeros([4]) as tf.Tensor1D;
  const d3 = tf.zeros([3]) as tf.Tensor1D;
  const nz = tf.zeros([4, 5]) as tf.Tensor2D;
  const nz6 = tf.zeros([4, 6]) as tf.Tensor2D;
  const nz3 = tf.zeros([3, 5]) as tf.Tensor2D;
  const nzEmpty = tf.zeros([4, 0]) as tf.Tensor2D;
  const ints = tf.zeros([4], 'int32') as tf.Tensor1D;
  const before = tf.memory().numTensors;
  const ok = { dataScores: d, noiseScores: nz, dataLogNoise: d, noiseLogNoise: nz };
  const is = (cls: new (...args: never[]) => Error, re: RegExp) => (e: unknown) => e instanceof cls && re.test((e as Error).message);
  assert.throws(
    () => nceLoss({ ...ok, noiseScores: nz3 }),
    is(ShapeError, /^nceLoss: `noiseScores` must have shape \[4, \*\] \(\[N, K\] with N = 4 from dataScores\), got \[3, 5\]$/),
  );
  assert.throws(
    () => nceLoss({ ...ok, dataLogNoise: d3 }),
    is(ShapeError, /`dataLogNoise` must have shape \[4\] \(same as dataScores\), got \[3\]/),
  );
  assert.throws(
    () => nceLoss({ ...ok, noiseLogNoise: nz6 }),
    is(ShapeError, /`noiseLogNoise` must have shape \[4, 5\] \(same as noiseScores\), got \[4, 6\]/),
  );
  assert.throws(() => nceLoss({ ...ok, dataScores: nz as never }), is(ShapeError, /`dataScores` must have rank 1, got rank 2/));
  assert.throws(() => nceLoss({ ...ok, dataScores: ints }), is(ShapeError, /`dataScores` must have dtype float32, got int32/));
  assert.throws(() => nceLoss({ ...ok, noiseScores: nzEmpty, noiseLogNoise: nzEmpty }), is(ShapeError, /`noiseScores` must not be empty/));
  assert.throws(
    () => nceLoss({ ...ok, noiseLogNoise: undefined as never }),
    is(ShapeError, /`noiseLogNoise` must be a tensor, got undefined/),
  );
  assert.throws(() => nceLoss(null as never), is(ConfigError, /nceLoss: `inputs` must be an object/));
  assert.equal(tf.memory().numTensors, before, 'throwing leaks nothing');
  tf.dispose([d, d3, nz, nz6, nz3, nzEmpty, ints]);
});
