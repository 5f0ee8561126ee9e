import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { MemoryBank } from '../../src/memory/memory-bank.js';
import { Rng } from '../../src/random.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, assertNoLeak, randn, useBackend } from '../support/tensors.js';

await useBackend();

function rowNorms(bank: MemoryBank): number[] {
  const out: number[] = [];
  for (let r = 0; r < bank.size; r++) {
    let s = 0;
    for (let c = 0; c < bank.dim; c++) s += bank.data[r * bank.dim + c]! ** 2;
    out.push(Math.sqrt(s));
  }
  return out;
}

test('MemoryBank: rows start uniform in ±1/sqrt(dim/3), then L2-normalised', () => {
  const size = 50;
  const dim = 12;
  const bank = new MemoryBank({ size, dim, seed: 7 });
  assertClose(rowNorms(bank), new Array(size).fill(1), 1e-6, 1e-6, 'row norms');
  // the documented recipe, by hand: the bank's generator forks once for the initial values
  const init = new Rng(7).fork();
  const stdv = 1 / Math.sqrt(dim / 3);
  const raw = Array.from({ length: size * dim }, () => (2 * init.next() - 1) * stdv);
  for (const r of [0, 17, size - 1]) {
    const row = raw.slice(r * dim, (r + 1) * dim);
    assert.ok(row.every((v) => Math.abs(v) <= stdv));
    const n = Math.hypot(...row);
    assertClose(
      bank.data.subarray(r * dim, (r + 1) * dim),
      row.map((v) => v / n),
      1e-5,
      1e-6,
      `row ${r}`,
    );
  }
  // same seed, same bank; another seed, another bank
  assert.deepEqual(new MemoryBank({ size, dim, seed: 7 }).data, bank.data);
  assert.notDeepEqual(new MemoryBank({ size, dim, seed: 8 }).data, bank.data);
  assert.equal(bank.bytes, size * dim * 4);
});

test('MemoryBank.get: copies of the rows as [B, dim], leak-free', () => {
  const bank = new MemoryBank({ size: 10, dim: 4, seed: 1 });
  const t = bank.get([3, 0, 3]);
  assert.deepEqual(t.shape, [3, 4]);
  const v = t.dataSync();
  assertClose(v.subarray(0, 4), bank.data.subarray(12, 16));
  assertClose(v.subarray(4, 8), bank.data.subarray(0, 4));
  assertClose(v.subarray(8, 12), bank.data.subarray(12, 16));
  t.dispose();
  const tt = bank.getTransposed([3, 0]);
  assert.deepEqual(tt.shape, [4, 2]);
  const tv = tt.arraySync();
  for (let c = 0; c < 4; c++) {
    assertClose(tv[c]![0]!, bank.data[12 + c]!);
    assertClose(tv[c]![1]!, bank.data[c]!);
  }
  tt.dispose();
  const before = tf.memory().numTensors;
  bank.get([1, 2]).dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('MemoryBank.update: normalize(momentum * old + (1 - momentum) * new), in place', () => {
  const bank = new MemoryBank({ size: 6, dim: 3, momentum: 0.25, seed: 2 });
  const buffer = bank.data;
  const old2 = Array.from(bank.data.subarray(6, 9));
  const old5 = Array.from(bank.data.subarray(15, 18));
  const untouched = Array.from(bank.data.subarray(0, 6));
  const f = tf.tensor2d([
    [1, 0, 0],
    [0, 0.6, 0.8],
  ]);
  assertNoLeak(() => bank.update([2, 5], f), 'update');
  const mix = (o: number[], n: number[]): number[] => {
    const m = o.map((v, i) => 0.25 * v + 0.75 * n[i]!);
    const norm = Math.hypot(...m);
    return m.map((v) => v / norm);
  };
  assertClose(bank.data.subarray(6, 9), mix(old2, [1, 0, 0]), 1e-5, 1e-6, 'row 2');
  assertClose(bank.data.subarray(15, 18), mix(old5, [0, 0.6, 0.8]), 1e-5, 1e-6, 'row 5');
  assertClose(bank.data.subarray(0, 6), untouched, 0, 0, 'rows 0-1');
  assert.equal(bank.data, buffer, 'the same buffer, not a copy');
  f.dispose();
  // a Float32Array works the same; momentum 0 replaces the row (normalised)
  const b0 = new MemoryBank({ size: 3, dim: 2, momentum: 0 });
  b0.update([1], new Float32Array([3, 4]));
  assertClose(b0.data.subarray(2, 4), [0.6, 0.8]);
  // a repeated index is applied once per occurrence, in order
  const b1 = new MemoryBank({ size: 2, dim: 2, momentum: 0.5, seed: 3 });
  const o = Array.from(b1.data.subarray(0, 2));
  b1.update([0, 0], new Float32Array([1, 0, 0, 1]));
  assertClose(b1.data.subarray(0, 2), mix2(mix2(o, [1, 0]), [0, 1]), 1e-5, 1e-6, 'repeated index');
  function mix2(a: number[], n: number[]): number[] {
    const m = a.map((v, i) => 0.5 * v + 0.5 * n[i]!);
    const norm = Math.hypot(...m);
    return m.map((v) => v / norm);
  }
});

test('MemoryBank.set: rows become normalize(features), whatever the bank momentum; others untouched', () => {
  const bank = new MemoryBank({ size: 4, dim: 2, momentum: 0.9, seed: 5 });
  const untouched = Array.from(bank.data.subarray(0, 2));
  const f = tf.tensor2d([
    [3, 4],
    [0, -2],
  ]);
  assertNoLeak(() => bank.set([2, 1], f), 'set');
  f.dispose();
  assertClose(bank.data.subarray(4, 6), [0.6, 0.8], 1e-6, 1e-7, 'row 2');
  assertClose(bank.data.subarray(2, 4), [0, -1], 1e-6, 1e-7, 'row 1');
  assertClose(bank.data.subarray(0, 2), untouched, 0, 0, 'row 0');
  assert.throws(
    () => bank.set([4], new Float32Array(2)),
    (e) => e instanceof ConfigError && /MemoryBank\.set: `indices`.*got 4/.test(e.message),
  );
  assert.throws(
    () => bank.set([0], new Float32Array(3)),
    (e) => e instanceof ShapeError && /MemoryBank\.set: `features` must hold 1 x 2 = 2 values/.test(e.message),
  );
});

test('MemoryBank: rows read for the loss are the rows from BEFORE the update', () => {
  const bank = new MemoryBank({ size: 8, dim: 4, seed: 4 });
  const idx = [1, 6];
  const before = bank.get(idx); // what the step's loss sees
  const snapshot = before.dataSync().slice();
  bank.update(
    idx,
    tf.tidy(() => tf.randomNormal([2, 4], 0, 1, 'float32', 5) as tf.Tensor2D),
  );
  assertClose(before.dataSync(), snapshot, 0, 0, 'rows taken before the update');
  const after = bank.get(idx);
  assert.notDeepEqual(Array.from(after.dataSync()), Array.from(snapshot), 'the bank itself did change');
  before.dispose();
  after.dispose();
});

test('MemoryBank.sample: uniform with replacement, seeded, honours exclude', () => {
  const bank = new MemoryBank({ size: 20, dim: 2, seed: 0 });
  const a = bank.sample(20, { rng: new Rng(11) });
  const b = bank.sample(20, { rng: new Rng(11) });
  assert.deepEqual(a, b, 'same generator state, same draw');
  assert.ok(a instanceof Int32Array && a.length === 20);
  // uniformity: 20 bins, 20000 draws; chi-square with 19 dof stays below 43.8 (p = 0.001)
  const counts = new Array(20).fill(0);
  for (const i of bank.sample(20, { rng: new Rng(1) })) counts[i]++;
  const draws = new Int32Array(20000);
  const r = new Rng(2);
  for (let s = 0; s < 1000; s++) draws.set(bank.sample(20, { rng: r }), s * 20);
  const c2 = new Array(20).fill(0);
  for (const i of draws) c2[i]++;
  const chi2 = c2.reduce((acc, c) => acc + (c - 1000) ** 2 / 1000, 0);
  assert.ok(chi2 < 43.8, `chi-square ${chi2.toFixed(1)}`);
  // exclude: never drawn, both when few and when most rows are excluded
  const ex = [0, 5, 19];
  const s1 = bank.sample(20, { exclude: ex, rng: new Rng(3) });
  assert.ok(s1.every((i) => !ex.includes(i)));
  const most = Array.from({ length: 18 }, (_, i) => i); // only 18, 19 remain
  const s2 = bank.sample(20, { exclude: most, rng: new Rng(4) });
  assert.ok(s2.every((i) => i === 18 || i === 19));
  assert.ok(s2.includes(18) && s2.includes(19));
  assert.equal(bank.sample(0).length, 0);
});

test('MemoryBank: typed errors name the argument and the value', () => {
  assert.throws(
    () => new MemoryBank({ size: 0, dim: 4 }),
    (e) => e instanceof ConfigError && /MemoryBank: `size` must be an integer >= 1, got 0/.test(e.message),
  );
  assert.throws(
    () => new MemoryBank({ size: 2.5, dim: 4 }),
    (e) => e instanceof ConfigError && /`size`.*2\.5/.test(e.message),
  );
  assert.throws(
    () => new MemoryBank({ size: 4, dim: -1 }),
    (e) => e instanceof ConfigError && /`dim`.*-1/.test(e.message),
  );
  assert.throws(
    () => new MemoryBank({ size: 4, dim: 2, momentum: 1.5 }),
    (e) => e instanceof ConfigError && /`momentum`.*1\.5/.test(e.message),
  );
  const bank = new MemoryBank({ size: 5, dim: 3 });
  assert.throws(
    () => bank.sample(6),
    (e) => e instanceof ConfigError && /`k` must be <= the bank size 5, got 6/.test(e.message),
  );
  assert.throws(
    () => bank.sample(2, { exclude: [0, 1, 2, 3, 4] }),
    (e) => e instanceof ConfigError && /`exclude`/.test(e.message),
  );
  assert.throws(
    () => bank.get([0, 5]),
    (e) => e instanceof ConfigError && /MemoryBank\.get: `indices` must hold integers in \[0, 4\].*got 5 at position 1/.test(e.message),
  );
  assert.throws(
    () => bank.get([-1]),
    (e) => e instanceof ConfigError && /got -1/.test(e.message),
  );
  assert.throws(
    () => bank.update([7], new Float32Array(3)),
    (e) => e instanceof ConfigError && /MemoryBank\.update: `indices`.*got 7/.test(e.message),
  );
  const wrong = tf.zeros([1, 4]) as tf.Tensor2D;
  assert.throws(
    () => bank.update([0], wrong),
    (e) => e instanceof ShapeError && /MemoryBank\.update: `features` must have shape \[1, 3\].*got \[1, 4\]/.test(e.message),
  );
  wrong.dispose();
  assert.throws(
    () => bank.update([0, 1], new Float32Array(3)),
    (e) => e instanceof ShapeError && /`features` must hold 2 x 3 = 6 values/.test(e.message),
  );
  bank.dispose();
  assert.throws(
    () => bank.get([0]),
    (e) => e instanceof ConfigError && /disposed/.test(e.message),
  );
});

test('MemoryBank: state round-trips (checkpoints), adopting the buffer', () => {
  const bank = new MemoryBank({ size: 9, dim: 5, momentum: 0.3, seed: 9 });
  bank.update([2], new Float32Array(randn(5, 1)));
  const st = bank.state();
  const copy = MemoryBank.fromState({ ...st, data: st.data.slice() });
  assert.deepEqual(copy.data, bank.data);
  assert.equal(copy.momentum, 0.3);
  assert.deepEqual(copy.sample(9), bank.sample(9), 'the generator continues identically');
  assert.throws(
    () => MemoryBank.fromState({ ...st, data: new Float32Array(3) }),
    (e) => e instanceof ShapeError && /MemoryBank\.fromState: `data`.*45 values/.test(e.message),
  );
});

test('MemoryBank: 1M x 128 is one 512 MB buffer; get/update/sample copy only what they touch', () => {
  const before = process.memoryUsage().arrayBuffers;
  const bank = new MemoryBank({ size: 1_000_000, dim: 128, seed: 1 });
  assert.equal(bank.bytes, 512_000_000);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown > 480_000_000 && grown < 560_000_000, `bank grew array buffers by ${(grown / 1e6).toFixed(0)} MB`);
  const mid = process.memoryUsage().arrayBuffers;
  const idx = bank.sample(256, { exclude: [999_999] });
  const rows = bank.get(idx);
  bank.update(idx, rows);
  rows.dispose();
  const step = process.memoryUsage().arrayBuffers - mid;
  assert.ok(step < 16_000_000, `a step allocated ${(step / 1e6).toFixed(1)} MB of array buffers`);
  bank.dispose();
});
