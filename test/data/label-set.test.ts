import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSetFromValues, labelSetFromIds, classCounts, distinctLabelValues } from '../../src/data/label-set.js';
import { compileFileNamePattern } from '../../src/data/file-name-pattern.js';
import { ConfigError } from '../../src/errors.js';
import { rejectsData } from './fixtures.js';

test('distinctLabelValues sorts numbers numerically, strings lexically', () => {
  assert.deepEqual(distinctLabelValues([10, 2, -1, 2]), ['-1', '2', '10']);
  assert.deepEqual(distinctLabelValues(['theo', 'george', 'theo']), ['george', 'theo']);
});

test('labelSetFromValues and labelSetFromIds', async () => {
  const s = labelSetFromValues(['b', 'a', 'b'], 'f', 'file');
  assert.deepEqual(Array.from(s.values), [1, 0, 1]);
  assert.deepEqual(classCounts(s), [1, 2]);
  const ids = labelSetFromIds([0, 2], 3, ['x', 'y', 'z'], 'f', 'file');
  assert.deepEqual(ids.classNames, ['x', 'y', 'z']);
  await rejectsData(() => labelSetFromIds([0, 3], 3, undefined, 'f', 'lab.bin', (i) => `record ${i}`), /lab\.bin/, /label 3 at record 1, outside the class range 0\.\.2/);
});

test('compileFileNamePattern: FSDD names', () => {
  const p = compileFileNamePattern('{digit}_{speaker}_{index}.wav');
  assert.deepEqual(p.fields, ['digit', 'speaker', 'index']);
  assert.deepEqual(p.match('7_yweweler_49.wav'), { digit: '7', speaker: 'yweweler', index: '49' });
  assert.equal(p.match('7_yweweler_49.mp3'), undefined);
  assert.equal(p.match('7-yweweler-49.wav'), undefined);
  assert.throws(() => compileFileNamePattern('plain.wav'), ConfigError);
});
