import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../src/tf.js';
import { initBackend, describeBackend } from '../src/backend.js';
import { BackendError, ConfigError } from '../src/errors.js';

test('initBackend: cpu by name', async () => {
  const info = await initBackend('cpu');
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(info.threads, 1);
});

test('initBackend: wasm by name trains-capable and reports threads', async () => {
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.ok(info.threads >= 1);
  await initBackend('cpu');
});

test('initBackend: automatic choice skips what is missing and says why', async () => {
  const info = await initBackend();
  assert.notEqual(info.name, 'cpu', 'a faster backend than cpu must load in Node');
  assert.match(describeBackend(info), new RegExp(`^backend ${info.name}, \\d+ threads?`));
  for (const s of info.skipped) assert.ok(s.reason.length > 0);
  await initBackend('cpu');
});

test('initBackend: unknown names are typed errors', async () => {
  await assert.rejects(
    initBackend('gpu' as never),
    (e: unknown) => e instanceof ConfigError && /initBackend: `name` must be one of/.test((e as Error).message),
  );
  const saved = process.env.CONTRASTIVE_BACKEND;
  process.env.CONTRASTIVE_BACKEND = 'nope';
  try {
    await assert.rejects(initBackend(), (e: unknown) => e instanceof ConfigError && /CONTRASTIVE_BACKEND/.test((e as Error).message));
  } finally {
    if (saved === undefined) delete process.env.CONTRASTIVE_BACKEND;
    else process.env.CONTRASTIVE_BACKEND = saved;
  }
});

test('initBackend: a backend that cannot load in Node is a BackendError', async () => {
  await assert.rejects(initBackend('webgl'), (e: unknown) => e instanceof BackendError);
});
