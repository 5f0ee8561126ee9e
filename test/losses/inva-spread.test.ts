import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { invaSpreadLoss } from '../../src/losses/inva-spread.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

await useBackend();

type Mat = number[][];
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const normalize = (a: number[]): number[] => {
  const n = Math.sqrt(dot(a, a));
  return a.map((v) => v / n);
};

/**
 * Naive float64 loop of the reference code's loss, with the anchor side and the key side given
 * separately: `refLoss(f, fh, f, fh)` is the loss; differentiating only the first pair is what a
 * stop-gradient on the keys means.
 */
function refLoss(f: Mat, fh: Mat, keyF: Mat, keyFh: Mat, temperature = 0.1): number {
  const n = f.length;
  const anchors = [...f, ...fh].map(normalize);
  const keys = [...keyF, ...keyFh].map(normalize);
  let total = 0;
  for (let a = 0; a < 2 * n; a++) {
    const pos = (a + n) % (2 * n);
    let denom = 0;
    for (let k = 0; k < 2 * n; k++) if (k !== a) denom += Math.exp(dot(anchors[a]!, keys[k]!) / temperature);
    total += Math.log(Math.exp(dot(anchors[a]!, keys[pos]!) / temperature) / denom);
    for (let k = 0; k < 2 * n; k++) {
      if (k === a || k === pos) continue;
      total += Math.log(1 - Math.exp(dot(anchors[a]!, keys[k]!) / temperature) / denom);
    }
  }
  return -total / (2 * n);
}

const mat = (rows: number, cols: number, seed: number): Mat => {
  const v = randn(rows * cols, seed);
  return Array.from({ length: rows }, (_, r) => Array.from(v.subarray(r * cols, (r + 1) * cols)));
};

function lossOf(f: Mat, fh: Mat, options = {}): number {
  const a = tf.tensor2d(f);
  const b = tf.tensor2d(fh);
  const l = invaSpreadLoss(a, b, options);
  const v = l.dataSync()[0]!;
  tf.dispose([a, b, l]);
  return v;
}

test('invaSpreadLoss: matches the naive loop reference', () => {
  for (const [n, d, t, seed] of [
    [4, 6, 0.1, 1],
    [7, 3, 0.5, 2],
    [3, 16, 0.07, 3],
  ] as const) {
    const f = mat(n, d, seed);
    const fh = mat(n, d, seed + 100);
    assertClose(lossOf(f, fh, { temperature: t }), refLoss(f, fh, f, fh, t), 1e-4, 1e-5, `N=${n} D=${d} τ=${t}`);
  }
});

test('invaSpreadLoss: hand-computed case and the N = 1 closed form', () => {
  // f = f̂ = [e1, e2], τ = 1: every anchor sees its positive at dot 1 and two negatives at dot 0
  const e = Math.E;
  const perAnchor = -(Math.log(e / (e + 2)) + 2 * Math.log(1 - 1 / (e + 2)));
  assertClose(
    lossOf(
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
      { temperature: 1 },
    ),
    perAnchor,
    1e-5,
    1e-6,
    'hand case',
  );
  // one instance: the positive is the only other row, P = 1 and nothing else: loss 0
  assertClose(lossOf([[0.3, -2]], [[1, 1]]), 0, 0, 1e-6, 'N = 1');
  // the scale of the inputs does not matter (they are normalised)
  const f = mat(3, 4, 9);
  const fh = mat(3, 4, 10);
  assertClose(
    lossOf(
      f.map((r) => r.map((v) => 5 * v)),
      fh,
    ),
    lossOf(f, fh),
    1e-5,
    1e-6,
    'scale invariance',
  );
});

test('invaSpreadLoss: symmetric in its two inputs (both views are anchors)', () => {
  const f = mat(5, 4, 4);
  const fh = mat(5, 4, 5);
  assertClose(lossOf(fh, f), lossOf(f, fh), 1e-5, 1e-6);
});

test('invaSpreadLoss: stays finite at a small temperature', () => {
  const f = mat(6, 8, 6);
  const fh = f.map((r) => r.map((v, i) => v + 0.01 * (i % 3)));
  const v = lossOf(f, fh, { temperature: 0.005 });
  assert.ok(Number.isFinite(v), `loss ${v}`);
});

/** Central differences of `g` at `x`, in float64. */
function finiteDiff(g: (x: Mat) => number, x: Mat, h = 1e-5): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length; r++) {
    for (let c = 0; c < x[r]!.length; c++) {
      const plus = x.map((row) => row.slice());
      const minus = x.map((row) => row.slice());
      plus[r]![c]! += h;
      minus[r]![c]! -= h;
      out.push((g(plus) - g(minus)) / (2 * h));
    }
  }
  return out;
}

function tfGrads(f: Mat, fh: Mat, options: object): number[][] {
  const a = tf.tensor2d(f);
  const b = tf.tensor2d(fh);
  const before = tf.memory().numTensors;
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => invaSpreadLoss(x as tf.Tensor2D, y as tf.Tensor2D, options))([a, b]);
  const out = grads.map((g) => Array.from(g.dataSync()));
  tf.dispose(grads);
  assert.equal(tf.memory().numTensors, before, 'tf.grads leaked tensors');
  tf.dispose([a, b]);
  return out;
}

test('invaSpreadLoss: gradients reach both inputs through the anchors only (keys are stop-gradient)', () => {
  const t = 0.5;
  const f = mat(4, 3, 11);
  const fh = mat(4, 3, 12);
  const [gf, gfh] = tfGrads(f, fh, { temperature: t });
  // both inputs receive gradients
  assert.ok(
    gf!.some((v) => Math.abs(v) > 1e-3),
    'features receive gradients',
  );
  assert.ok(
    gfh!.some((v) => Math.abs(v) > 1e-3),
    'augmented receives gradients',
  );
  // ... equal to the derivative with the keys held fixed
  assertClose(
    gf!,
    finiteDiff((x) => refLoss(x, fh, f, fh, t), f),
    2e-3,
    2e-4,
    'd/d features, keys fixed',
  );
  assertClose(
    gfh!,
    finiteDiff((x) => refLoss(f, x, f, fh, t), fh),
    2e-3,
    2e-4,
    'd/d augmented, keys fixed',
  );
  // ... and not to the full derivative
  const full = finiteDiff((x) => refLoss(x, fh, x, fh, t), f);
  const gap = Math.max(...full.map((v, i) => Math.abs(v - gf![i]!)));
  assert.ok(gap > 1e-2, `the stop-gradient changes the gradient (max gap ${gap})`);
});

test('invaSpreadLoss: keyGradients: true differentiates both sides', () => {
  const t = 0.5;
  const f = mat(3, 4, 13);
  const fh = mat(3, 4, 14);
  const [gf, gfh] = tfGrads(f, fh, { temperature: t, keyGradients: true });
  assertClose(
    gf!,
    finiteDiff((x) => refLoss(x, fh, x, fh, t), f),
    2e-3,
    2e-4,
    'd/d features',
  );
  assertClose(
    gfh!,
    finiteDiff((x) => refLoss(f, x, f, x, t), fh),
    2e-3,
    2e-4,
    'd/d augmented',
  );
});

test('invaSpreadLoss: no leaked tensors, inputs not disposed', () => {
  const a = tf.tensor2d(mat(4, 5, 20));
  const b = tf.tensor2d(mat(4, 5, 21));
  assertNoLeak(() => invaSpreadLoss(a, b), 'invaSpreadLoss');
  assert.ok(!a.isDisposed && !b.isDisposed);
  tf.dispose([a, b]);
});

test('invaSpreadLoss: typed errors on bad input', () => {
  const a = tf.zeros([4, 3]) as tf.Tensor2D;
  const b = tf.zeros([4, 2]) as tf.Tensor2D;
  const c = tf.zeros([4]) as unknown as tf.Tensor2D;
  const before = tf.memory().numTensors;
  assert.throws(
    () => invaSpreadLoss(a, b),
    (e) =>
      e instanceof ShapeError && /invaSpreadLoss: `augmented` must have shape \[4, 3\] \(same as features\), got \[4, 2\]/.test(e.message),
  );
  assert.throws(
    () => invaSpreadLoss(c, c),
    (e) => e instanceof ShapeError && /`features` must have rank 2/.test(e.message),
  );
  assert.throws(
    () => invaSpreadLoss(a, a, { temperature: 0 }),
    (e) => e instanceof ConfigError && /`temperature` must be > 0, got 0/.test(e.message),
  );
  assert.throws(
    () => invaSpreadLoss(a, a, { keyGradients: 1 as unknown as boolean }),
    (e) => e instanceof ConfigError && /`keyGradients`/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([a, b, c]);
});
