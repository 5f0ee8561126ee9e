import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWavFolder } from '../../../src/node/data/wav-folder.js';
import { encodeWav } from '../../../src/data/wav.js';
import { classCounts } from '../../../src/data/label-set.js';
import { rejectsData, sharedData, skipWithoutShared, tempDir } from '../../data/fixtures.js';

function folder(): string {
  const dir = tempDir();
  for (const d of [0, 1]) {
    for (const sp of ['amy', 'bob']) {
      for (const i of [0, 5, 6]) {
        const n = 10 + d * 3 + i;
        writeFileSync(join(dir, `${d}_${sp}_${i}.wav`), encodeWav(Float32Array.from({ length: n }, (_, k) => (k % 2 === 0 ? 0.5 : -0.5)), 8000));
      }
    }
  }
  writeFileSync(join(dir, 'README.txt'), 'not audio');
  return dir;
}

test('loadWavFolder: label from the name, speaker as extra label, FSDD split, variable length', async () => {
  const dir = folder();
  const all = await loadWavFolder(dir);
  assert.equal(all.size, 12);
  assert.deepEqual(all.sampleShape, [-1, 1]);
  assert.equal(all.kind, 'sequence');
  assert.deepEqual(all.labels!.classNames, ['0', '1']);
  assert.deepEqual(all.extraLabels!.speaker!.classNames, ['amy', 'bob']);
  assert.equal(all.extraLabels!.index, undefined);
  const t = await loadWavFolder(dir, { split: 'test' });
  assert.equal(t.size, 4);
  const tr = await loadWavFolder(dir, { split: 'train' });
  assert.equal(tr.size, 8);
  const s = await t.get(0);
  assert.deepEqual(s.shape, [10, 1]);
  assert.deepEqual(Array.from(s.data.subarray(0, 2)), [0.5, -0.5]);
});

test('loadWavFolder: unsupported encoding, name not matching the pattern, truncated clip', async () => {
  const dir = folder();
  const stereo = encodeWav(new Float32Array(4), 8000);
  new DataView(stereo.buffer).setUint16(22, 2, true);
  writeFileSync(join(dir, '1_bob_7.wav'), stereo);
  const ds = await loadWavFolder(dir);
  const idx = ds.files.findIndex((f) => f.endsWith('1_bob_7.wav'));
  await rejectsData(() => ds.get(idx), /1_bob_7\.wav/, /2 channels; supported: mono/);
  const cut = encodeWav(new Float32Array(50), 8000);
  writeFileSync(join(dir, '1_bob_7.wav'), cut.subarray(0, 60));
  await rejectsData(() => ds.get(idx), /truncated: chunk 'data'/);
  writeFileSync(join(dir, 'bad-name.wav'), cut);
  await rejectsData(() => loadWavFolder(dir), /bad-name\.wav/, /does not match the file-name pattern "\{digit\}_\{speaker\}_\{index\}\.wav"/);
});

test('loadWavFolder: shared FSDD, official split 300 test / 2,700 train', { skip: skipWithoutShared('FSDD') }, async () => {
  const root = join(sharedData()!, 'fsdd');
  const t = await loadWavFolder(root, { split: 'test' });
  assert.equal(t.size, 300);
  assert.deepEqual(classCounts(t.labels!), Array(10).fill(30));
  assert.deepEqual(t.extraLabels!.speaker!.classNames, ['george', 'jackson', 'lucas', 'nicolas', 'theo', 'yweweler']);
  const tr = await loadWavFolder(root, { split: 'train' });
  assert.equal(tr.size, 2700);
  assert.equal(tr.sampleRate, 8000);
  // every test clip parses, in [-1, 1], with a length inside PROVENANCE's range 1148..18262
  for (let i = 0; i < t.size; i += 1) {
    const s = await t.get(i);
    assert.ok(s.shape[0]! >= 1148 && s.shape[0]! <= 18262, `clip ${i} has ${s.shape[0]} samples`);
    if (i % 50 === 0) assert.ok(s.data.every((v) => v >= -1 && v < 1));
  }
});
