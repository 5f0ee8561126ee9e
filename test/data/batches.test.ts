import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batches, epochOrder } from '../../src/data/batches.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { LazyDataset } from '../../src/data/lazy-dataset.js';
import { Rng } from '../../src/random.js';
import { ConfigError } from '../../src/errors.js';

const ds = new ArrayDataset({ name: 'a', kind: 'vector', sampleShape: [1], values: Float32Array.from({ length: 10 }, (_, i) => i) });

test('batches: in order, last batch smaller unless dropLast', async () => {
  const sizes: number[] = [];
  const seen: number[] = [];
  for await (const b of batches(ds, { batchSize: 4 })) {
    sizes.push(b.shape[0]!);
    seen.push(...b.indices);
  }
  assert.deepEqual(sizes, [4, 4, 2]);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const dropped: number[] = [];
  for await (const b of batches(ds, { batchSize: 4, dropLast: true })) dropped.push(b.shape[0]!);
  assert.deepEqual(dropped, [4, 4]);
});

test('batches: shuffle is a permutation, reproducible from the seed', async () => {
  const run = async (seed: number): Promise<number[]> => {
    const out: number[] = [];
    for await (const b of batches(ds, { batchSize: 3, shuffle: true, rng: new Rng(seed) })) out.push(...b.indices);
    return out;
  };
  const a = await run(7);
  assert.deepEqual([...a].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await run(7), a);
  assert.notDeepEqual(await run(8), a);
  assert.throws(() => epochOrder(3, { shuffle: true }), ConfigError);
});

test('batches: the next batch is fetched while the current one is consumed, at most prefetch ahead', async () => {
  const requested: number[] = [];
  const lazy = new LazyDataset({
    name: 'l', kind: 'vector', size: 8, sampleShape: [1], dtype: 'float32',
    async load(i) {
      requested.push(i);
      return { data: Float32Array.from([i]), shape: [1] };
    },
  });
  const it = batches(lazy, { batchSize: 2, prefetch: 1 });
  const first = await it.next();
  assert.deepEqual(Array.from(first.value!.indices), [0, 1]);
  await new Promise((r) => setTimeout(r, 5)); // "training" on batch 0
  assert.deepEqual(requested.sort(), [0, 1, 2, 3], 'batch 1 fetched during batch 0, batch 2 not yet');
  let n = 1;
  for await (const _ of { [Symbol.asyncIterator]: () => it }) n++;
  assert.equal(n, 4);
});

test('batches: a failing fetch surfaces when its batch is reached', async () => {
  const bad = new LazyDataset({
    name: 'bad', kind: 'vector', size: 4, sampleShape: [1], dtype: 'float32',
    async load(i) {
      if (i === 3) throw new Error('broken file 3');
      return { data: Float32Array.from([i]), shape: [1] };
    },
  });
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const b of batches(bad, { batchSize: 2 })) got.push(...b.indices);
  }, /broken file 3/);
  assert.deepEqual(got, [0, 1]);
});
