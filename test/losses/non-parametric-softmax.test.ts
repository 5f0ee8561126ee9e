import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { MemoryBank } from '../../src/memory/memory-bank.js';
import { nonParametricSoftmaxLoss } from '../../src/losses/non-parametric-softmax.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

await useBackend();

type Mat = number[][];
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const normalize = (a: number[]): number[] => {
  const n = Math.sqrt(dot(a, a));
  return a.map((v) => v / n);
};
const mat = (rows: number, cols: number, seed: number): Mat => {
  const v = randn(rows * cols, seed);
  return Array.from({ length: rows }, (_, r) => Array.from(v.subarray(r * cols, (r + 1) * cols)));
};
function bankRows(bank: MemoryBank): Mat {
  return Array.from({ length: bank.size }, (_, r) => Array.from(bank.data.subarray(r * bank.dim, (r + 1) * bank.dim)));
}

/** Cross-entropy of logits bank.v/τ with target index, averaged, in float64. */
function refLoss(f: Mat, rows: Mat, idx: number[], t: number): number {
  let total = 0;
  f.forEach((row, b) => {
    const v = normalize(row);
    const logits = rows.map((m) => dot(m, v) / t);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    total += lse - logits[idx[b]!]!;
  });
  return total / f.length;
}

test('nonParametricSoftmaxLoss: cross-entropy over the whole bank, the same for any chunk size', () => {
  const bank = new MemoryBank({ size: 23, dim: 6, seed: 1 });
  const f = mat(5, 6, 2);
  const idx = [0, 22, 7, 7, 13];
  const want = refLoss(f, bankRows(bank), idx, 0.07);
  const x = tf.tensor2d(f);
  for (const chunkRows of [1, 4, 23, 1000]) {
    const l = nonParametricSoftmaxLoss(x, bank, idx, { temperature: 0.07, chunkRows });
    assertClose(l.dataSync()[0]!, want, 1e-4, 1e-5, `chunkRows ${chunkRows}`);
    l.dispose();
  }
  assertNoLeak(() => nonParametricSoftmaxLoss(x, bank, idx, { chunkRows: 4 }), 'nonParametricSoftmaxLoss');
  x.dispose();
});

test('nonParametricSoftmaxLoss: chunked hand-written gradient matches finite differences, leak-free', () => {
  const bank = new MemoryBank({ size: 11, dim: 4, seed: 3 });
  const f = mat(3, 4, 4);
  const idx = [2, 10, 5];
  const t = 0.5;
  const x = tf.tensor2d(f);
  const grads: number[][] = [];
  for (const cacheValues of [0, 1000]) {
    // 0: the backward pass recomputes the probabilities; 1000: it reuses the forward's
    const before = tf.memory().numTensors;
    const g = tf.grad((v: tf.Tensor) =>
      nonParametricSoftmaxLoss(v as tf.Tensor2D, bank, idx, { temperature: t, chunkRows: 3, cacheValues }),
    )(x);
    grads.push(Array.from(g.dataSync()));
    g.dispose();
    assert.equal(tf.memory().numTensors, before, `tf.grad leaked (cacheValues ${cacheValues})`);
  }
  x.dispose();
  const rows = bankRows(bank);
  const h = 1e-5;
  const fd: number[] = [];
  for (let r = 0; r < f.length; r++) {
    for (let c = 0; c < f[r]!.length; c++) {
      const p = f.map((row) => row.slice());
      const m = f.map((row) => row.slice());
      p[r]![c]! += h;
      m[r]![c]! -= h;
      fd.push((refLoss(p, rows, idx, t) - refLoss(m, rows, idx, t)) / (2 * h));
    }
  }
  assertClose(grads[0]!, fd, 2e-3, 2e-4, 'gradient, recomputed');
  assertClose(grads[1]!, fd, 2e-3, 2e-4, 'gradient, cached');
});

test('nonParametricSoftmaxLoss: typed errors before any tensor is made', () => {
  const bank = new MemoryBank({ size: 5, dim: 3 });
  const x = tf.zeros([2, 3]) as tf.Tensor2D;
  const wrong = tf.zeros([2, 4]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  assert.throws(
    () => nonParametricSoftmaxLoss(wrong, bank, [0, 1]),
    (e) => e instanceof ShapeError && /`features` must have shape \[\*, 3\]/.test(e.message),
  );
  assert.throws(
    () => nonParametricSoftmaxLoss(x, bank, [0]),
    (e) => e instanceof ShapeError && /`indices` must hold one bank index per row of features \(2\), got 1/.test(e.message),
  );
  assert.throws(
    () => nonParametricSoftmaxLoss(x, bank, [0, 5]),
    (e) => e instanceof ConfigError && /`indices`.*got 5/.test(e.message),
  );
  assert.throws(
    () => nonParametricSoftmaxLoss(x, bank, [0, 1], { temperature: 0 }),
    (e) => e instanceof ConfigError && /`temperature`/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, wrong]);
});
