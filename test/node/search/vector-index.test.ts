/** VectorIndex on a real LanceDB in a temp folder (no mock). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../../src/tf.js';
import { VectorIndex, type IndexRow } from '../../../src/node/search/vector-index.js';
import { ConfigError, DataError, ShapeError } from '../../../src/errors.js';
import { tempDir } from '../../data/fixtures.js';
import { makeReadOnly } from '../../support/read-only.js';

/** Row i points along axis i % dim, scaled (cosine ignores the scale). */
function rows(n: number, dim: number, from = 0): IndexRow[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const v = new Float32Array(dim);
    v[i % dim] = 1 + i;
    v[(i + 1) % dim] = 0.05 * i;
    return { id: `img/${i}.png`, path: `/data/img/${i}.png`, label: i % 3, vector: v, run: '/runs/a' };
  });
}

test('VectorIndex: create, add (merge on id: re-adding is a no-op), list ids, remove, reopen', async () => {
  const db = join(tempDir(), 'db');
  const ix = await VectorIndex.open(db, { create: { dim: 8, labelled: true } });
  try {
    assert.equal(await ix.count(), 0);
    await ix.add(rows(25, 8));
    await ix.add(rows(30, 8)); // 25 of these are already there
    assert.equal(await ix.count(), 30);
    const ids = await ix.ids();
    assert.equal(ids.size, 30);
    assert.ok(ids.has('img/29.png'));
    await ix.remove(['img/0.png', "it's-not-there.png"]);
    assert.equal(await ix.count(), 29);
    assert.deepEqual(
      Array.from((await ix.vectorOf('img/3.png'))!)
        .slice(3, 5)
        .map((x) => Math.round(x * 100) / 100),
      [4, 0.15],
    );
    assert.equal(await ix.vectorOf('img/0.png'), undefined);
  } finally {
    ix.close();
  }
  const again = await VectorIndex.open(db);
  assert.equal(again.dim, 8);
  assert.equal(again.labelled, true);
  assert.equal(await again.count(), 29);
  again.close();
});

test('VectorIndex: search returns the k nearest by cosine distance, excluding the query itself; by tensor too', async () => {
  const db = join(tempDir(), 'db');
  const ix = await VectorIndex.open(db, { create: { dim: 4, labelled: false } });
  try {
    await ix.add(rows(12, 4).map(({ label: _l, ...r }) => r));
    const q = (await ix.vectorOf('img/5.png'))!;
    const res = await ix.search(q, { k: 3, exclude: 'img/5.png' });
    assert.equal(res.length, 3);
    assert.ok(!res.some((r) => r.id === 'img/5.png'));
    // rows 1 and 9 point along the same axes as 5 (5 % 4 = 1): nearest
    assert.deepEqual(
      res
        .slice(0, 2)
        .map((r) => r.id)
        .sort(),
      ['img/1.png', 'img/9.png'],
    );
    for (let i = 1; i < res.length; i++) assert.ok(res[i]!.distance >= res[i - 1]!.distance);
    assert.ok(res.every((r) => r.distance >= 0 && r.distance <= 2 && r.path.startsWith('/data/img/') && r.label === undefined));
    const self = await ix.search(q, { k: 1 });
    assert.equal(self[0]!.id, 'img/5.png');
    assert.ok(Math.abs(self[0]!.distance) < 1e-5);
    const before = tf.memory().numTensors;
    const t = tf.tensor1d(q);
    const byTensor = await ix.search(t, { k: 2, exclude: 'img/5.png' });
    t.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(byTensor.map((r) => r.id).sort(), ['img/1.png', 'img/9.png']);
    await assert.rejects(() => ix.search(new Float32Array(6)), ShapeError);
    await assert.rejects(() => ix.search(q, { k: 0 }), ConfigError);
    await assert.rejects(() => ix.add([{ ...rows(1, 6)[0]! }]), ShapeError);
  } finally {
    ix.close();
  }
});

test('VectorIndex: a folder that is not an index, a missing table, a file, a read-only folder, another width', async (t) => {
  const root = tempDir();
  const other = join(root, 'photos');
  mkdirSync(other);
  writeFileSync(join(other, 'holiday.jpg'), 'x');
  await assert.rejects(
    () => VectorIndex.open(other),
    (e: Error) => e instanceof DataError && /not an index/.test(e.message),
  );
  await assert.rejects(
    () => VectorIndex.open(other, { create: { dim: 4, labelled: false } }),
    (e: Error) => e instanceof DataError && /holds other files/.test(e.message),
  );
  await assert.rejects(
    () => VectorIndex.open(join(root, 'nope')),
    (e: Error) => e instanceof DataError && /does not exist/.test(e.message),
  );
  await assert.rejects(
    () => VectorIndex.open(join(other, 'holiday.jpg'), { create: { dim: 4, labelled: false } }),
    (e: Error) => e instanceof DataError && /is a file/.test(e.message),
  );
  const db = join(root, 'db');
  (await VectorIndex.open(db, { create: { dim: 4, labelled: false } })).close();
  await assert.rejects(
    () => VectorIndex.open(db, { table: 'other' }),
    (e: Error) => e instanceof DataError && /no table 'other' \(tables: images/.test(e.message),
  );
  await assert.rejects(
    () => VectorIndex.open(db, { create: { dim: 8, labelled: false } }),
    (e: Error) => e instanceof DataError && /holds 4-d vectors/.test(e.message),
  );
  await assert.rejects(() => VectorIndex.open(db, { table: 'a b' }), ConfigError);
  const ro = join(root, 'ro');
  mkdirSync(ro);
  const undo = makeReadOnly(ro); // root included
  await t.test('a read-only folder', { skip: typeof undo === 'string' ? undo : false }, async () => {
    try {
      await assert.rejects(
        () => VectorIndex.open(join(ro, 'db'), { create: { dim: 4, labelled: false } }),
        (e: Error) => e instanceof DataError && /not writable/.test(e.message),
      );
      await assert.rejects(
        () => VectorIndex.open(ro, { create: { dim: 4, labelled: false } }),
        (e: Error) => e instanceof DataError && /not writable/.test(e.message),
      );
    } finally {
      if (typeof undo === 'function') undo();
    }
  });
});

test('VectorIndex.optimize: no ANN index below the threshold; IVF-PQ past it, and search still finds the nearest rows', async () => {
  const db = join(tempDir(), 'db');
  const ix = await VectorIndex.open(db, { create: { dim: 16, labelled: false } });
  try {
    // 40 tight groups of 25 rows
    const rng = (s: number) => () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    const r = rng(11);
    const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: 16 }, r));
    const all: IndexRow[] = Array.from({ length: 1000 }, (_, i) => ({
      id: `g${i % 40}/${i}`,
      path: '',
      vector: Float32Array.from(centres[i % 40]!, (v) => v + 0.01 * r()),
      run: 'x',
    }));
    await ix.add(all);
    assert.equal(await ix.optimize(5000), 'none');
    assert.equal(await ix.optimize(500), 'built');
    const res = await ix.search(all[7]!.vector, { k: 5, exclude: all[7]!.id });
    assert.equal(res.length, 5);
    assert.ok(
      res.every((n) => n.id.startsWith('g7/')),
      res.map((n) => n.id).join(' '),
    );
    await ix.add([{ id: 'late', path: '', vector: centres[3]!, run: 'x' }]);
    assert.equal(await ix.optimize(500), 'updated');
    assert.equal((await ix.search(centres[3]!, { k: 1 }))[0]!.id, 'late');
  } finally {
    ix.close();
  }
});
