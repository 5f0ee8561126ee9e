/**
 * initBackend runs one op on a backend before choosing it: a backend that registers but fails at
 * its first kernel (tfjs-node 4.22 on Node 23+) is skipped with the reason, not chosen.
 * Its own file: it replaces the `tensorflow` provider for the whole process.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '../src/tf.js';
import { initBackend, registerBackendProvider } from '../src/backend.js';
import { BackendError } from '../src/errors.js';

// A backend with the CPU backend's storage and no kernels at all: it registers, then any op throws.
// Registered after the first initBackend, which installs the real Node providers.
before(async () => {
  await initBackend('cpu');
  registerBackendProvider('tensorflow', {
    priority: 30,
    runtime: 'node',
    load: async () => {
      if (tf.findBackendFactory('tensorflow') === null) tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);
    },
    threads: () => 1,
  });
});

test('initBackend: a backend that fails its first op is skipped with the reason', async () => {
  const info = await initBackend();
  assert.notEqual(info.name, 'tensorflow');
  assert.equal(tf.getBackend(), info.name);
  const skipped = info.skipped.find((s) => s.name === 'tensorflow');
  assert.ok(skipped !== undefined, `tensorflow not among the skipped: ${JSON.stringify(info.skipped)}`);
  assert.match(skipped.reason, /^backend 'tensorflow' failed its first op: .*not registered/);
  assert.deepEqual(Array.from(await tf.add(tf.scalar(2), 1).data()), [3], 'the backend chosen instead computes');
});

test('initBackend: asked for by name, a backend that fails its first op is a BackendError', async () => {
  await assert.rejects(
    initBackend('tensorflow'),
    (e: unknown) => e instanceof BackendError && /failed its first op/.test((e as Error).message),
  );
  await initBackend('cpu');
});
