import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';
import { timeShift } from '../../src/augment/time-shift.js';
import { useBackend } from '../support/tensors.js';
import { assertDeterministic, randomSequences, run } from './helpers.js';

before(() => useBackend());

/** [B, T, 1] with value t + 1 at step t. */
const steps = (n: number, t: number): tf.Tensor3D =>
  tf.tidy(() => tf.tile(tf.reshape(tf.range(1, t + 1), [1, t, 1]), [n, 1, 1]) as tf.Tensor3D);

test('timeShift: circular padding rolls each series by its own shift within the bound', () => {
  const [n, t] = [500, 20];
  const x = steps(n, t);
  const y = run(timeShift({ maxFraction: 0.1 }), x, new Rng(1));
  assert.deepEqual(y.shape, [n, t, 1]);
  const shifts = new Set<number>();
  for (let b = 0; b < n; b++) {
    const s = (((1 - y.values[b * t]!) % t) + t) % t; // y[0] = x[-s] = value (t - s) mod t + 1
    const signed = s > t / 2 ? s - t : s;
    for (let k = 0; k < t; k++) assert.equal(y.values[b * t + k], ((((k - signed) % t) + t) % t) + 1);
    shifts.add(signed);
  }
  assert.deepEqual(
    [...shifts].sort((a, b) => a - b),
    [-2, -1, 0, 1, 2],
  );
  x.dispose();
});

test('timeShift: zeros padding shifts zeros in', () => {
  const [n, t] = [200, 10];
  const x = steps(n, t);
  const y = run(timeShift({ maxFraction: 0.3, padding: 'zeros' }), x, new Rng(2)).values;
  for (let b = 0; b < n; b++) {
    const row = Array.from(y.subarray(b * t, (b + 1) * t));
    const nonzero = row.filter((v) => v !== 0);
    assert.ok(
      nonzero.every((v, i) => i === 0 || v === nonzero[i - 1]! + 1),
      'the kept part stays in order',
    );
    assert.ok(t - nonzero.length <= 3, 'at most 3 steps shifted out');
  }
  x.dispose();
});

test('timeShift: deterministic under a seed; typed errors', () => {
  const x = randomSequences([16, 30, 2]);
  assertDeterministic(timeShift(), x);
  assert.throws(() => timeShift({ padding: 'edge' as never }), /timeShift: `padding` must be one of 'circular', 'zeros', got 'edge'/);
  assert.throws(() => timeShift({ maxFraction: -0.1 }), ConfigError);
  x.dispose();
});
