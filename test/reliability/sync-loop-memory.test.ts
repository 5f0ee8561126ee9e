/**
 * A synchronous training loop (1,000 steps that never await, as bench/soak.ts runs them) must not
 * keep each step's host buffers alive. V8 keeps every WeakRef target created during one job alive
 * until that job ends, so a per-step cache held through a WeakRef grew RSS by a batch per step
 * (the CMC Lab views: +7.7% RSS over the 1,000-step soak).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '../../src/tf.js';
import { normalizedLab } from '../../src/cmc-views/lab-values.js';
import { useBackend } from '../support/tensors.js';

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
/** Two full collections: the second finishes the first's concurrent sweep of array buffers. */
const gc = (): void => {
  fullGc();
  fullGc();
};

before(() => useBackend());

test('normalizedLab in a synchronous loop keeps at most one batch of Lab values', () => {
  const [B, S] = [16, 32];
  const batchBytes = B * S * S * 3 * 4; // 196,608 bytes of Lab values per call
  const steps = 100;
  const step = (k: number): void => {
    const x = tf.tidy(() => tf.fill([B, S, S, 3], (k % 10) / 10)) as tf.Tensor4D;
    const l = normalizedLab(x, 0, 1);
    const ab = normalizedLab(x, 1, 2); // the same input: served from the cache
    tf.dispose([x, l, ab]);
  };
  step(0);
  gc();
  const start = process.memoryUsage().arrayBuffers;
  for (let k = 1; k <= steps; k++) step(k); // one job: no await in between
  gc();
  const grown = process.memoryUsage().arrayBuffers - start;
  assert.ok(
    grown < 4 * batchBytes,
    `array buffers grew by ${grown} bytes over ${steps} synchronous steps (${(grown / batchBytes).toFixed(1)} batches kept)`,
  );
});
