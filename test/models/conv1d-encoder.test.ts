import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import {
  AUDIO_8K_GEOMETRY,
  SHORT_SERIES_GEOMETRY,
  conv1dEncoder,
  conv1dPreset,
  inputLengthFor,
  latentLength,
  receptiveField,
} from '../../src/models/conv1d-encoder.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend, randn, assertClose, reloadFromMemory } from '../support/tensors.js';

before(() => useBackend());

test('receptiveField: the 8 kHz geometry sees 225 samples with stride 80; the short one 10 with stride 4', () => {
  // 1 + (10-1)*1 + (8-1)*5 + (4-1)*20 + (4-1)*40
  assert.deepEqual(receptiveField(AUDIO_8K_GEOMETRY), { receptiveField: 225, totalStride: 80 });
  assert.deepEqual(receptiveField(SHORT_SERIES_GEOMETRY), { receptiveField: 10, totalStride: 4 });
  assert.equal(latentLength(AUDIO_8K_GEOMETRY, 224), 0);
  assert.equal(latentLength(AUDIO_8K_GEOMETRY, 225), 1);
  for (const n of [1, 2, 7, 40]) {
    assert.equal(latentLength(AUDIO_8K_GEOMETRY, inputLengthFor(AUDIO_8K_GEOMETRY, n)), n);
    assert.equal(latentLength(AUDIO_8K_GEOMETRY, inputLengthFor(AUDIO_8K_GEOMETRY, n) - 1), n - 1);
  }
});

test('conv1dPreset: audio from 2000 steps, short series from 64, tiny below', () => {
  assert.deepEqual(conv1dPreset(8000), AUDIO_8K_GEOMETRY);
  assert.deepEqual(conv1dPreset(140), SHORT_SERIES_GEOMETRY);
  assert.deepEqual(conv1dPreset(30).strides, [1]);
});

test('conv1dEncoder: [B, T, C] -> [B, latentLength(T), filters], ReLU, any T, leak-free', () => {
  const g = { strides: [2, 2], kernelSizes: [4, 4] };
  const m = conv1dEncoder({ ...g, channels: 2, filters: 6, seed: 1 });
  for (const t of [10, 37, 64]) {
    const x = tf.tensor3d(randn(3 * t * 2, t), [3, t, 2]);
    const before = tf.memory().numTensors;
    const z = m.predict(x) as tf.Tensor;
    assert.equal(tf.memory().numTensors, before + 1);
    assert.deepEqual(z.shape, [3, latentLength(g, t), 6]);
    assert.ok(
      z.dataSync().every((v) => v >= 0),
      'ReLU output',
    );
    tf.dispose([x, z]);
  }
  m.dispose();
});

test('conv1dEncoder: latent t depends only on input steps [t*stride, t*stride + receptiveField)', () => {
  const g = { strides: [2, 2], kernelSizes: [4, 4] };
  const m = conv1dEncoder({ ...g, filters: 4, seed: 2 });
  const t = 40;
  const a = randn(t, 5);
  const b = a.slice();
  const p = 25; // change input steps >= 25
  for (let i = p; i < t; i++) b[i] = b[i]! + 1 + i;
  const za = m.predict(tf.tensor3d(a, [1, t, 1])) as tf.Tensor3D;
  const zb = m.predict(tf.tensor3d(b, [1, t, 1])) as tf.Tensor3D;
  const { receptiveField: r, totalStride: s } = receptiveField(g);
  const last = Math.floor((p - r) / s); // latents whose window ends before p
  const va = za.arraySync()[0]!;
  const vb = zb.arraySync()[0]!;
  for (let i = 0; i <= last; i++) assertClose(vb[i]!, va[i]!, 0, 0, `latent ${i}`);
  assert.notDeepEqual(vb[last + 1], va[last + 1]);
  tf.dispose([za, zb]);
  m.dispose();
});

test('conv1dEncoder: bad geometry is a ConfigError naming the argument', () => {
  assert.throws(
    () => conv1dEncoder({ strides: [2, 2], kernelSizes: [4] }),
    (e: Error) => e instanceof ConfigError && /conv1dEncoder: `kernelSizes` must be an array of 2 integers/.test(e.message),
  );
  assert.throws(
    () => conv1dEncoder({ strides: [], kernelSizes: [] }),
    (e: Error) => e instanceof ConfigError && /`strides`/.test(e.message),
  );
  assert.throws(
    () => conv1dEncoder({ filters: 0 }),
    (e: Error) => e instanceof ConfigError && /`filters`/.test(e.message),
  );
});

test('conv1dEncoder standardize: each sequence is standardised first, so the scale of a clip does not matter; saves and loads', async () => {
  const m = conv1dEncoder({ ...SHORT_SERIES_GEOMETRY, filters: 4, seed: 3, standardize: true });
  const v = randn(2 * 30, 8);
  const x = tf.tensor3d(v, [2, 30, 1]);
  const loud = tf.mul(tf.add(x, 3), 50); // shifted and scaled copies
  const za = m.predict(x) as tf.Tensor;
  const zb = m.predict(loud) as tf.Tensor;
  assertClose(zb.dataSync(), za.dataSync(), 1e-3, 1e-4, 'latents of a scaled copy');
  const back = await reloadFromMemory(m);
  const zc = back.predict(x) as tf.Tensor;
  assertClose(zc.dataSync(), za.dataSync(), 0, 0, 'loaded model');
  tf.dispose([x, loud, za, zb, zc]);
  m.dispose();
  back.dispose();
});
