import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { maybeGunzip } from '../../src/data/gunzip.js';
import { rejectsData } from './fixtures.js';

test('maybeGunzip: gzip decompressed, other bytes unchanged, corrupt gzip a DataError', async () => {
  const raw = Uint8Array.from({ length: 1000 }, (_, i) => i % 7);
  assert.deepEqual(await maybeGunzip(new Uint8Array(gzipSync(raw)), 'a.gz'), raw);
  assert.equal(await maybeGunzip(raw, 'raw'), raw);
  const gz = new Uint8Array(gzipSync(raw));
  await rejectsData(() => maybeGunzip(gz.subarray(0, gz.length - 12), 'cut.gz'), /cut\.gz/, /corrupt or truncated gzip/);
});
