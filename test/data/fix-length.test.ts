import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixLength } from '../../src/data/fix-length.js';
import { SequenceDataset } from '../../src/data/sequence-dataset.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { ConfigError } from '../../src/errors.js';

const seq = new SequenceDataset({
  name: 's',
  series: [Float32Array.from([1, 2, 3, 4, 5]), Float32Array.from([7, 8])],
  labels: { values: Int32Array.from([1, 0]), classNames: ['a', 'b'] },
});

test('fixLength crops longer samples and pads shorter ones, so batches stack', async () => {
  const ds = fixLength(seq, { length: 3 });
  assert.deepEqual(ds.sampleShape, [3, 1]);
  const b = await ds.getBatch([0, 1]);
  assert.deepEqual(b.shape, [2, 3, 1]);
  assert.deepEqual(Array.from(b.x), [1, 2, 3, 7, 8, 0]);
  assert.deepEqual(Array.from(b.labels!), [1, 0]);
  assert.deepEqual(Array.from((await fixLength(seq, { length: 3, crop: 'center' }).get(0)).data), [2, 3, 4]);
  assert.deepEqual(Array.from((await fixLength(seq, { length: 3, crop: 'end', padValue: -1 }).get(1)).data), [7, 8, -1]);
});

test('fixLength rejects non-sequences and bad options', () => {
  const v = new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [2], values: new Float32Array(4) });
  assert.throws(() => fixLength(v, { length: 3 }), /fixLength: `dataset` must hold sequences/);
  assert.throws(() => fixLength(seq, { length: 0 }), ConfigError);
  assert.throws(() => fixLength(seq, { length: 2, crop: 'middle' as 'center' }), ConfigError);
});
