import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { timeMasking } from '../../src/augment/time-masking.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, randomSequences, run } from './helpers.js';

before(() => useBackend());

test('timeMasking: one span of consecutive steps, at most maxFraction T long, set to value in every channel', () => {
  const [n, t, c] = [300, 50, 2];
  const x = tf.ones([n, t, c]);
  const y = run(timeMasking({ probability: 1, maxFraction: 0.2, value: -3 }), x, new Rng(4));
  assert.deepEqual(y.shape, [n, t, c]);
  const lengths: number[] = [];
  for (let b = 0; b < n; b++) {
    const masked: number[] = [];
    for (let s = 0; s < t; s++) {
      const v = [y.values[(b * t + s) * c]!, y.values[(b * t + s) * c + 1]!];
      assert.ok((v[0] === 1 && v[1] === 1) || (v[0] === -3 && v[1] === -3), 'a step is masked in every channel or in none');
      if (v[0] === -3) masked.push(s);
    }
    if (masked.length > 0) assert.equal(masked[masked.length - 1]! - masked[0]! + 1, masked.length, 'the span is contiguous');
    lengths.push(masked.length);
  }
  assert.ok(Math.max(...lengths) <= 10, 'at most 20% of 50 steps');
  assert.ok(lengths.filter((l) => l === 10).length > 5 && lengths.filter((l) => l === 0).length > 5, 'lengths spread over [0, 10]');
  x.dispose();
});

test('timeMasking: probability 0 is the identity; deterministic under a seed', () => {
  const x = randomSequences([16, 40, 1]);
  assert.deepEqual(run(timeMasking({ probability: 0 }), x, new Rng(1)).values, x.dataSync());
  assertDeterministic(timeMasking({ probability: 1, maxFraction: 0.3 }), x);
  x.dispose();
});

test('timeMasking: bad options are typed errors', () => {
  assert.throws(() => timeMasking({ maxFraction: 1.5 }), ConfigError);
  assert.throws(() => timeMasking({ count: 0 }), /timeMasking: `count` must be an integer >= 1, got 0/);
});
