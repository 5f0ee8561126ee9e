import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../../src/node/native/buffer-pool.js';

test('a disposed buffer goes back to the pool; a pinned one only after its last unpin', () => {
  const pool = new BufferPool(1 << 20);
  const a = pool.take(1024);
  pool.onWrite(a);
  pool.onDispose(a);
  assert.equal(pool.take(1024), a, 'reused after dispose');
  pool.onWrite(a);
  pool.pin(a);
  pool.pin(a);
  pool.onDispose(a);
  assert.notEqual(pool.take(1024), a, 'pinned: not handed out');
  pool.unpin(a);
  assert.notEqual(pool.take(1024), a, 'still pinned once');
  pool.unpin(a);
  assert.equal(pool.take(1024), a, 'back after the last unpin');
  // pinning a buffer the pool does not own, or unpinning an unpinned one, changes nothing
  const foreign = new Float32Array(1024);
  pool.pin(foreign);
  pool.unpin(foreign);
  pool.unpin(a);
  assert.equal(pool.pooledBytes, 0);
});
