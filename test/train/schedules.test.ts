import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warmupCosine, constantLr } from '../../src/train/schedules.js';
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
