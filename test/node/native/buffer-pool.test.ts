import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../../src/node/native/buffer-pool.js';
import { defaultPoolBytes } from '../../../src/node/native/native-backend.js';

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

test('over the cap the buffers returned longest ago make room for the newest', () => {
  const pool = new BufferPool(3 * 4096); // three buffers of 1024 floats
  const take = (n: number): Float32Array => {
    const a = pool.take(n);
    pool.onWrite(a);
    return a;
  };
  const [a, b, c, d] = [take(1024), take(1024), take(1024), take(1024)];
  for (const x of [a, b, c]) pool.onDispose(x);
  assert.equal(pool.pooledBytes, 3 * 4096);
  pool.onDispose(d); // full: a, returned first, is dropped
  assert.equal(pool.pooledBytes, 3 * 4096);
  const back = new Set([pool.take(1024), pool.take(1024), pool.take(1024)]);
  assert.deepEqual(back, new Set([b, c, d]));
  assert.equal(pool.pooledBytes, 0);
  assert.notEqual(pool.take(1024), a, 'the dropped buffer is not handed out again');

  // another size takes the pool over: two 1024-float buffers leave for one of 2048
  const [e, f] = [take(1024), take(1024)];
  pool.onDispose(e);
  pool.onDispose(f);
  const g = take(2048);
  pool.onDispose(g);
  assert.equal(pool.pooledBytes, 4096 + 8192);
  assert.equal(pool.take(2048), g);
  assert.equal(pool.take(1024), f, 'the newer of the two stays');
  // a buffer larger than the whole cap is never kept
  const big = take(4096);
  pool.onDispose(big);
  assert.equal(pool.pooledBytes, 0);
  assert.notEqual(pool.take(4096), big);
});

test('defaultPoolBytes: a quarter of the memory, between 1 and 8 GiB', () => {
  const GiB = 2 ** 30;
  assert.equal(defaultPoolBytes(2 * GiB), GiB);
  assert.equal(defaultPoolBytes(16 * GiB), 4 * GiB);
  assert.equal(defaultPoolBytes(24 * GiB), 6 * GiB);
  assert.equal(defaultPoolBytes(256 * GiB), 8 * GiB);
});
