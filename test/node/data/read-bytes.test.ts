import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readBytes, readText } from '../../../src/node/data/read-bytes.js';
import { rejectsData, tempDir } from '../../data/fixtures.js';

test('readBytes: raw and gzip files; missing, empty, corrupt gzip are DataErrors naming the file', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.bin'), Uint8Array.from([1, 2, 3]));
  writeFileSync(join(dir, 'a.gz'), gzipSync(Uint8Array.from([4, 5])));
  writeFileSync(join(dir, 'e.bin'), new Uint8Array(0));
  const gz = gzipSync(Buffer.from('hello world, hello world, hello world'));
  writeFileSync(join(dir, 'cut.gz'), gz.subarray(0, gz.length - 10));
  assert.deepEqual(Array.from(await readBytes(join(dir, 'a.bin'), 'f')), [1, 2, 3]);
  assert.deepEqual(Array.from(await readBytes(join(dir, 'a.gz'), 'f')), [4, 5]);
  writeFileSync(join(dir, 't.gz'), gzipSync(Buffer.from('héllo')));
  assert.equal(await readText(join(dir, 't.gz'), 'f'), 'héllo');
  await rejectsData(() => readBytes(join(dir, 'nope.bin'), 'f'), /nope\.bin/, /does not exist/);
  await rejectsData(() => readBytes(join(dir, 'e.bin'), 'f'), /e\.bin/, /empty/);
  await rejectsData(() => readBytes(join(dir, 'cut.gz'), 'f'), /cut\.gz/, /corrupt or truncated gzip/);
  await rejectsData(() => readBytes(dir, 'f'), /is a folder/);
});
