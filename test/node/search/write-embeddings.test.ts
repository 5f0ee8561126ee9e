import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeEmbeddings, formatOfPath } from '../../../src/node/search/write-embeddings.js';
import { readNpy } from '../../../src/node/data/npy-file.js';
import { ConfigError } from '../../../src/errors.js';
import { tempDir } from '../../data/fixtures.js';

const rows = {
  ids: ['a/1.png', 'b,"2".png'],
  labels: Int32Array.from([0, 7]),
  vectors: Float32Array.from([1, 2, 3, 4, 5, 6]),
  dim: 3,
  dropped: 0,
};

test('writeEmbeddings: npy with int32 labels and ids beside it; csv quotes ids; jsonl one object per row', async () => {
  const dir = tempDir();
  const files = await writeEmbeddings(rows, join(dir, 'e.npy'));
  assert.deepEqual(
    files.map((f) => f.slice(dir.length + 1)),
    ['e.npy', 'e.ids.txt', 'e.labels.npy'],
  );
  const v = await readNpy(join(dir, 'e.npy'));
  assert.deepEqual(v.shape, [2, 3]);
  const l = await readNpy(join(dir, 'e.labels.npy'));
  assert.equal(l.dtype, 'int32');
  assert.deepEqual(Array.from(l.data), [0, 7]);
  assert.equal(readFileSync(join(dir, 'e.ids.txt'), 'utf8'), 'a/1.png\nb,"2".png\n');
  await writeEmbeddings(rows, join(dir, 'e.csv'));
  assert.deepEqual(readFileSync(join(dir, 'e.csv'), 'utf8').trim().split('\n'), [
    'id,h0,h1,h2,label',
    'a/1.png,1,2,3,0',
    '"b,""2"".png",4,5,6,7',
  ]);
  await writeEmbeddings({ ...rows, labels: undefined } as never, join(dir, 'e.jsonl'));
  const objs = readFileSync(join(dir, 'e.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((s) => JSON.parse(s));
  assert.deepEqual(objs, [
    { id: 'a/1.png', vector: [1, 2, 3] },
    { id: 'b,"2".png', vector: [4, 5, 6] },
  ]);
  assert.equal(formatOfPath('x.NPY'), 'npy');
  await assert.rejects(() => writeEmbeddings(rows, join(dir, 'e.txt')), ConfigError);
  assert.ok(!existsSync(join(dir, 'e.txt')));
});
