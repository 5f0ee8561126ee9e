import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { seededSample } from '../../src/data/seeded-sample.js';

const data = new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [2], values: Float32Array.from({ length: 100 * 2 }, (_, i) => i) });

test('seededSample: rows distinct rows in row order, the same for a seed, others for another', () => {
  const a = seededSample(data, 10, 3);
  const b = seededSample(data, 10, 3);
  const c = seededSample(data, 10, 4);
  assert.equal(a.size, 10);
  assert.deepEqual(Array.from(a.parentIndices), Array.from(b.parentIndices));
  assert.notDeepEqual(Array.from(a.parentIndices), Array.from(c.parentIndices));
  assert.equal(new Set(a.parentIndices).size, 10);
  assert.deepEqual(Array.from(a.parentIndices), Array.from(a.parentIndices).sort((x, y) => x - y));
});

test('seededSample: asking for more rows than the data has gives every row', () => {
  const all = seededSample(data, 500, 0);
  assert.deepEqual(Array.from(all.parentIndices), Array.from({ length: 100 }, (_, i) => i));
});
