import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warmupCosine, constantLr, ResizableWarmupCosine } from '../../src/train/schedules.js';
import { ConfigError } from '../../src/errors.js';
import { assertClose } from '../support/tensors.js';

test('warmupCosine: linear warm-up to the peak, cosine down to finalLr', () => {
  const s = warmupCosine({ baseLr: 1, totalSteps: 14, warmupSteps: 4, finalLr: 0.1 });
  assertClose([s(0), s(1), s(2), s(3)], [0.25, 0.5, 0.75, 1], 1e-12, 0, 'warm-up');
  assertClose(s(4), 1, 1e-12, 0, 'first decay step');
  // last step: t = 9/10 of the way down -> 0.1 + 0.45 (1 + cos(0.9 pi))
  assertClose(s(13), 0.1 + 0.45 * (1 + Math.cos(0.9 * Math.PI)), 1e-12, 1e-12, 'last step');
  // halfway through the decay (t = 0.5): (base + final) / 2
  const mid = warmupCosine({ baseLr: 2, totalSteps: 4, finalLr: 0 });
  assertClose(mid(2), 1, 1e-12, 1e-12, 'cosine midpoint');
  for (let i = 5; i < 13; i++) assert.ok(s(i) < s(i - 1), `decreasing at ${i}`);
});

test('warmupCosine and constantLr: bad values are ConfigErrors', () => {
  assert.throws(() => warmupCosine({ baseLr: 1, totalSteps: 3, warmupSteps: 4 }), ConfigError);
  assert.throws(() => warmupCosine({ baseLr: -1, totalSteps: 3 }), /baseLr/);
  assert.throws(() => warmupCosine({ baseLr: 1, totalSteps: 0 }), /totalSteps/);
  assert.throws(() => constantLr(NaN), /lr/);
  assert.equal(constantLr(0.3)(1000), 0.3);
});

test('ResizableWarmupCosine: warmupCosine exactly until a re-size; from it, the cosine goes on from the progress reached, over the new length', () => {
  const o = { baseLr: 0.1, totalSteps: 50, warmupSteps: 5, finalLr: 0.001 };
  const plain = warmupCosine(o);
  const r = new ResizableWarmupCosine(o);
  for (let s = 0; s < 50; s++) assert.equal(r.lr(s), plain(s), `step ${s}`);
  assert.equal(r.totalSteps, 50);
  r.resize(20, 100); // a faster machine: twice the steps
  assert.equal(r.totalSteps, 100);
  assert.deepEqual(r.resizes, [{ step: 20, totalSteps: 100 }]);
  for (let s = 0; s <= 20; s++) assert.equal(r.lr(s), plain(s), `before and at the re-size, step ${s}`);
  const p20 = (20 - 5) / 45;
  const at = (p: number): number => 0.001 + 0.5 * (0.1 - 0.001) * (1 + Math.cos(Math.PI * p));
  assert.ok(Math.abs(r.lr(60) - at(p20 + ((1 - p20) * 40) / 80)) < 1e-15);
  assert.ok(Math.abs(r.lr(100) - 0.001) < 1e-15, 'finalLr one step after the last');
  r.resize(60, 61); // then a much slower one: one step left
  assert.equal(r.lr(60), at(p20 + ((1 - p20) * 40) / 80), 'no jump at the second re-size');
  assert.ok(Math.abs(r.lr(61) - 0.001) < 1e-15);
  for (let s = 6; s < 61; s++) assert.ok(r.lr(s) <= r.lr(s - 1), `non-increasing after the warm-up (step ${s})`);
  assert.throws(
    () => r.resize(59, 80),
    (e: unknown) => e instanceof ConfigError && /step/.test((e as Error).message) && /60/.test((e as Error).message),
  );
  assert.throws(
    () => r.resize(70, 70),
    (e: unknown) => e instanceof ConfigError && /totalSteps/.test((e as Error).message),
  );
  assert.throws(() => new ResizableWarmupCosine({ baseLr: 0.1, totalSteps: 4, warmupSteps: 5 }), ConfigError);
  assert.throws(
    () => new ResizableWarmupCosine(o).resize(3, 40),
    (e: unknown) => e instanceof ConfigError && /warm-up/.test((e as Error).message),
  );
});
