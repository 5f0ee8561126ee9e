import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { SequenceDataset } from '../../src/data/sequence-dataset.js';
import { LazyDataset } from '../../src/data/lazy-dataset.js';
import { subset } from '../../src/data/subset.js';
import { ConfigError, ShapeError } from '../../src/errors.js';

const labels = { values: Int32Array.from([0, 1, 0, 1]), classNames: ['a', 'b'] };

test('ArrayDataset: get and getBatch convert to float32 with scale; labels and indices in the batch', async () => {
  const ds = new ArrayDataset({ name: 'a', kind: 'image', sampleShape: [1, 2, 1], values: Uint8Array.from([0, 255, 51, 102, 1, 2, 3, 4]), scale: 1 / 255, labels });
  assert.equal(ds.size, 4);
  assert.equal(ds.dtype, 'uint8');
  const b = await ds.getBatch([3, 1]);
  assert.deepEqual(Array.from(b.indices), [3, 1]);
  assert.deepEqual(b.shape, [2, 1, 2, 1]);
  assert.deepEqual(Array.from(b.labels!), [1, 1]);
  assert.deepEqual(Array.from(b.x), [3 / 255, 4 / 255, 51 / 255, 102 / 255].map(Math.fround));
  await assert.rejects(() => ds.get(4), ConfigError);
  await assert.rejects(() => ds.getBatch([0, 1.5]), /a.getBatch: `indices` must be integers in \[0, 4\), got 1.5 at position 1/);
  assert.throws(() => new ArrayDataset({ name: 'x', kind: 'vector', sampleShape: [3], values: new Float32Array(4) }), /whole number of samples of 3 values/);
  assert.throws(() => new ArrayDataset({ name: 'x', kind: 'vector', sampleShape: [2], values: new Float32Array(4), labels }), /one label per sample \(2\), got 4/);
});

test('SequenceDataset: fixed length gives [T, C]; variable gives [-1, C]; batches need one length', async () => {
  const fixed = new SequenceDataset({ name: 's', series: [new Float32Array(6), new Float32Array(6)], channels: 2 });
  assert.deepEqual(fixed.sampleShape, [3, 2]);
  const vary = new SequenceDataset({ name: 'v', series: [Float32Array.from([1, 2]), Float32Array.from([3])] });
  assert.deepEqual(vary.sampleShape, [-1, 1]);
  assert.deepEqual((await vary.get(0)).shape, [2, 1]);
  await assert.rejects(() => vary.getBatch([0, 1]), ShapeError);
  const s = await vary.get(0);
  s.data[0] = 99; // get returns a copy
  assert.equal((await vary.get(0)).data[0], 1);
});

test('LazyDataset: loads on demand with bounded concurrency, stacks, closes', async () => {
  let inFlight = 0;
  let peak = 0;
  let closed = false;
  const ds = new LazyDataset({
    name: 'lazy', kind: 'vector', size: 20, sampleShape: [2], dtype: 'float32', concurrency: 3,
    async load(i) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { data: Float32Array.from([i, -i]), shape: [2] };
    },
    close: async () => {
      closed = true;
    },
  });
  const b = await ds.getBatch([5, 0, 19, 7, 8, 9, 10]);
  assert.deepEqual(Array.from(b.x.subarray(0, 6)), [5, -5, 0, -0, 19, -19]);
  assert.ok(peak <= 3, `peak concurrency ${peak}`);
  await ds.close();
  assert.ok(closed);
});

test('subset: rows renumbered 0..n-1, labels follow, parent indices kept', async () => {
  const ds = new ArrayDataset({ name: 'a', kind: 'vector', sampleShape: [1], values: Float32Array.from([10, 11, 12, 13]), labels, extraLabels: { other: labels } });
  const sub = subset(ds, [3, 0]);
  assert.equal(sub.size, 2);
  assert.deepEqual(Array.from(sub.labels!.values), [1, 0]);
  assert.deepEqual(Array.from(sub.extraLabels!.other!.values), [1, 0]);
  const b = await sub.getBatch([1, 0]);
  assert.deepEqual(Array.from(b.indices), [1, 0]);
  assert.deepEqual(Array.from(b.x), [10, 13]);
  assert.deepEqual(Array.from(b.labels!), [0, 1]);
  assert.deepEqual(Array.from(sub.parentIndices), [3, 0]);
  assert.throws(() => subset(ds, [4]), ConfigError);
});
