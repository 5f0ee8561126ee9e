import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, ari, confusionMatrix, nmi } from '../../src/eval/metrics.js';
import { DataError, ShapeError } from '../../src/errors.js';
import { assertClose } from '../support/tensors.js';

// Reference values: computed with /usr/bin/python3 + numpy 1.24 from the textbook formulas
// (scikit-learn is not installed here): NMI = MI / mean(H(a), H(b)) from the contingency table,
// ARI = (Σ C(n_ij,2) - E) / ((Σ C(a_i,2) + Σ C(b_j,2)) / 2 - E), E = Σ C(a_i,2) Σ C(b_j,2) / C(n,2).
const A = [2, 0, 1, 0, 0, 0, 1, 1, 2, 1, 1, 2, 1, 2, 0, 0, 0, 1, 2, 0];
const B = [2, 1, 2, 2, 2, 2, 3, 0, 1, 3, 2, 1, 0, 2, 1, 1, 2, 0, 3, 2];
const C = [0, 1, 2, 1, 1, 0, 1, 1, 2, 1, 1, 2, 1, 2, 0, 0, 0, 1, 2, 0];

test('accuracy counts matches', () => {
  assert.equal(accuracy(Int32Array.from([0, 1, 2, 2]), Int32Array.from([0, 1, 1, 2])), 0.75);
  assert.equal(accuracy([], []), 0);
});

test('confusionMatrix rows are true classes, columns predictions', () => {
  assert.deepEqual(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2]), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 1],
  ]);
  assert.deepEqual(confusionMatrix([0], [0], 2), [
    [1, 0],
    [0, 0],
  ]);
  assert.throws(() => confusionMatrix([3], [0], 2), DataError);
});

test('nmi and ari: hand-computed cases', () => {
  // [0,0,1,1] vs [0,0,1,2]: MI = ln 2 (a is a function of b), H(a) = ln 2, H(b) = 1.5 ln 2 -> 0.8.
  assertClose(nmi([0, 0, 1, 1], [0, 0, 1, 2]), 0.8, 1e-12);
  // Σ C(n_ij,2) = 1, Σ C(a,2) = 2, Σ C(b,2) = 1, C(4,2) = 6: E = 1/3, max = 1.5 -> (2/3)/(7/6) = 4/7.
  assertClose(ari([0, 0, 1, 1], [0, 0, 1, 2]), 4 / 7, 1e-12);
  // Crossed halves: no shared pair, E = 2/3, max = 2 -> -0.5; independent -> MI = 0.
  assertClose(ari([0, 0, 1, 1], [0, 1, 0, 1]), -0.5, 1e-12);
  assert.equal(nmi([0, 0, 1, 1], [0, 1, 0, 1]), 0);
});

test('nmi and ari match the numpy reference on random labelings', () => {
  assertClose(nmi(A, B), 0.31333063038061704, 1e-10);
  assertClose(ari(A, B), 0.09790022736391597, 1e-10);
  assertClose(nmi(A, C), 0.49713348184293504, 1e-10);
  assertClose(ari(A, C), 0.3667478528393796, 1e-10);
});

test('nmi and ari are symmetric and ignore how groups are numbered', () => {
  const renamed = B.map((b) => [7, 3, 0, 5][b]!);
  assertClose(nmi(B, A), nmi(A, B), 1e-12);
  assertClose(ari(B, A), ari(A, B), 1e-12);
  assertClose(nmi(A, renamed), nmi(A, B), 1e-12);
  assertClose(ari(A, renamed), ari(A, B), 1e-12);
  assert.equal(
    nmi(
      A,
      A.map((a) => 2 - a),
    ),
    1,
  );
  assertClose(ari(Int32Array.from(A), Int32Array.from(A)), 1, 1e-12);
});

test('degenerate labelings', () => {
  assert.equal(nmi([0, 0, 0], [1, 1, 1]), 1); // one group each: identical partitions
  assert.equal(ari([0, 0, 0], [1, 1, 1]), 1);
  assert.equal(nmi([0, 0, 0, 0], [0, 1, 0, 1]), 0); // a trivial labeling carries no information
  assert.equal(ari([0, 0, 0, 0], [0, 1, 0, 1]), 0);
  assert.equal(ari([0, 1, 2], [2, 0, 1]), 1); // all singletons
});

test('random labelings score near 0', () => {
  let s = 1;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 10;
  const a = Array.from({ length: 5000 }, r);
  const b = Array.from({ length: 5000 }, r);
  assert.ok(Math.abs(ari(a, b)) < 0.01, `ari ${ari(a, b)}`);
  assert.ok(nmi(a, b) < 0.01, `nmi ${nmi(a, b)}`);
});

test('typed errors: length mismatch, negative or non-integer ids', () => {
  assert.throws(
    () => nmi([0, 1], [0]),
    (e: unknown) => e instanceof ShapeError && /nmi: `b` must have length 2/.test(e.message),
  );
  assert.throws(
    () => ari([0, -1], [0, 0]),
    (e: unknown) => e instanceof DataError && /ari: `a` must hold integer ids >= 0, got -1 at index 1/.test(e.message),
  );
  assert.throws(() => accuracy([0.5], [0]), DataError);
  assert.throws(() => accuracy('ab' as never, [0, 1]), ShapeError);
});
