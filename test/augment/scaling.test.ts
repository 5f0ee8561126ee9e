import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { scaling } from '../../src/augment/scaling.js';
import { assertClose, useBackend } from '../support/tensors.js';
import { assertDeterministic, randomSequences, run } from './helpers.js';

before(() => useBackend());

test('scaling: one factor per series and channel, drawn from N(1, std²)', () => {
  const [n, t, c] = [500, 6, 2];
  const x = randomSequences([n, t, c]);
  const xv = x.dataSync();
  const y = run(scaling({ std: 0.1 }), x, new Rng(3));
  assert.deepEqual(y.shape, [n, t, c]);
  const factors: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const f = y.values[b * t * c + ch]! / xv[b * t * c + ch]!;
      for (let s = 0; s < t; s++) assertClose(y.values[(b * t + s) * c + ch]!, f * xv[(b * t + s) * c + ch]!, 1e-4, 1e-6);
      factors.push(f);
    }
  }
  const mean = factors.reduce((a, v) => a + v, 0) / factors.length;
  const std = Math.sqrt(factors.reduce((a, v) => a + (v - mean) ** 2, 0) / factors.length);
  assert.ok(Math.abs(mean - 1) < 0.015 && Math.abs(std - 0.1) < 0.015, `factor mean ${mean}, std ${std}`);
  x.dispose();
});

test('scaling: probability 0 is the identity; deterministic under a seed', () => {
  const x = randomSequences([8, 10, 3]);
  assert.deepEqual(run(scaling({ probability: 0 }), x, new Rng(1)).values, x.dataSync());
  assertDeterministic(scaling(), x);
  x.dispose();
});

test('scaling: bad options are typed errors', () => {
  assert.throws(() => scaling({ std: NaN }), ConfigError);
  assert.throws(() => scaling({ sigma: 0.1 } as never), /unknown field 'sigma'/);
});
