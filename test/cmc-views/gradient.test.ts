import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { gradient } from '../../src/cmc-views/gradient.js';
import { halfLuminance } from '../../src/cmc-views/half-luminance.js';
import { assertClose, assertNoLeak, rng, useBackend } from '../support/tensors.js';

before(() => useBackend());

/** Naive Sobel of one grey image with replicated borders, / 4. */
function sobel(img: number[][]): { dx: number[]; dy: number[] } {
  const h = img.length;
  const w = img[0]!.length;
  const at = (r: number, c: number) => img[Math.min(h - 1, Math.max(0, r))]![Math.min(w - 1, Math.max(0, c))]!;
  const dx: number[] = [];
  const dy: number[] = [];
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      dx.push((at(r - 1, c + 1) + 2 * at(r, c + 1) + at(r + 1, c + 1) - at(r - 1, c - 1) - 2 * at(r, c - 1) - at(r + 1, c - 1)) / 4);
      dy.push((at(r + 1, c - 1) + 2 * at(r + 1, c) + at(r + 1, c + 1) - at(r - 1, c - 1) - 2 * at(r - 1, c) - at(r - 1, c + 1)) / 4);
    }
  }
  return { dx, dy };
}

test('gradient dxdy: Sobel with replicated borders, / 4 (naive reference); magnitude = sqrt(dx² + dy²)', () => {
  const r = rng(3);
  const img = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => r()));
  const x = tf.tensor4d(img.flat(), [1, 5, 6, 1]);
  const { dx, dy } = sobel(img);
  const d = assertNoLeak(() => {
    const t = gradient({ output: 'dxdy' }).apply(x);
    assert.deepEqual(t.shape, [1, 5, 6, 2]);
    const v = Array.from(t.dataSync());
    t.dispose();
    return v;
  });
  assertClose(
    d,
    dx.flatMap((v, i) => [v, dy[i]!]),
    1e-5,
    1e-6,
    'dx, dy',
  );
  const m = gradient().apply(x);
  assert.deepEqual(m.shape, [1, 5, 6, 1]);
  assertClose(
    m.dataSync(),
    dx.map((v, i) => Math.hypot(v, dy[i]!)),
    1e-5,
    1e-6,
    'magnitude',
  );
  tf.dispose([x, m]);
});

test('gradient: a vertical step edge in RGB gives dx = 1 on the edge columns, 0 elsewhere; flat image gives 0 (no border edges)', () => {
  const img = Array.from({ length: 4 }, () => [0, 0, 1, 1]);
  const rgb = tf.tensor4d(
    img.flat().flatMap((v) => [v, v, v]),
    [1, 4, 4, 3],
  );
  const t = gradient({ output: 'dxdy' }).apply(rgb);
  const v = t.dataSync();
  for (let r = 0; r < 4; r++) {
    const row = [0, 1, 2, 3].map((c) => v[(r * 4 + c) * 2]!);
    assertClose(row, [0, 1, 1, 0], 1e-3, 1e-3, `dx row ${r}`); // luma of grey v is ~v (weights sum to 0.9999)
  }
  const flat = gradient().apply(tf.fill([1, 4, 4, 3], 0.7));
  assert.ok(Math.max(...flat.dataSync()) < 1e-5);
  tf.dispose([rgb, t, flat]);
});

test('halfLuminance: 2x2 means of the grey level, scaled to [-1, 1]; grey and RGB; odd sizes floor', () => {
  const x = tf.tensor4d([0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 3, 6, 1]);
  const t = assertNoLeak(() => {
    const o = halfLuminance().apply(x);
    const v = { shape: o.shape, data: Array.from(o.dataSync()) };
    o.dispose();
    return v;
  });
  assert.deepEqual(t.shape, [1, 1, 3, 1]);
  assertClose(t.data, [0.25 * 2 - 1, 0.5 * 2 - 1, 1 * 2 - 1], 1e-6, 1e-6, 'means'); // blocks of rows 0-1 (row 2 dropped)
  const rgb = tf.ones([2, 4, 4, 3]);
  const o = halfLuminance().apply(rgb);
  assert.deepEqual(o.shape, [2, 2, 2, 1]);
  assertClose(o.dataSync(), new Array(8).fill(1), 1e-3, 1e-3, 'white');
  tf.dispose([x, rgb, o]);
});

test('gradient / halfLuminance: typed errors name the view', () => {
  const two = tf.zeros([1, 4, 4, 2]);
  assert.throws(
    () => gradient().apply(two),
    (e: unknown) => e instanceof ShapeError && e.message.includes("view 'gradient'"),
  );
  assert.throws(
    () => halfLuminance().apply(two),
    (e: unknown) => e instanceof ShapeError && e.message.includes("view 'half-luminance'"),
  );
  assert.throws(() => halfLuminance().apply(tf.zeros([1, 1, 4, 1])), ShapeError);
  assert.throws(() => gradient({ output: 'sobel' as never }), ConfigError);
  two.dispose();
});
