import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { retrievalGrid, umap2d } from '../../src/node/run-report/embedding-sections.js';
import { Rng } from '../../src/random.js';

/** 3 classes of sequences [T=4, C=2]; features: class direction + small noise. */
function data(): { ds: ArrayDataset; features: { data: Float32Array; dim: number } } {
  const n = 30;
  const rng = new Rng(1);
  const values = new Float32Array(n * 8).map(() => rng.next());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const feats = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) feats[i * 3 + j] = (j === labels[i] ? 1 : 0) + 0.05 * rng.next();
  const ds = new ArrayDataset({
    name: 'seq',
    kind: 'sequence',
    sampleShape: [4, 2],
    values,
    labels: { values: labels, classNames: ['a', 'b', 'c'] },
  });
  return { ds, features: { data: feats, dim: 3 } };
}

test('retrievalGrid: one query per class first, neighbours by cosine similarity, self excluded', async () => {
  const { ds, features } = data();
  const g = await retrievalGrid(ds, features, { queries: 4, neighbours: 5 });
  assert.equal(g.kind, 'sequence');
  assert.deepEqual(g.shape, [4, 2]);
  assert.deepEqual(g.classNames, ['a', 'b', 'c']);
  assert.deepEqual(
    g.queries.map((q) => q.query.label),
    [0, 1, 2, 0],
  );
  for (const q of g.queries) {
    assert.equal(q.neighbours.length, 5);
    for (const nb of q.neighbours) assert.equal(nb.label, q.query.label, 'the same-class rows are the most similar');
    assert.equal(q.query.values.length, 8);
  }
  // query 0 is row 0: its first neighbour is the most similar other row, found by brute force
  const f = features.data;
  const cos = (i: number, j: number): number => {
    let d = 0,
      a = 0,
      b = 0;
    for (let k = 0; k < 3; k++) {
      d += f[i * 3 + k]! * f[j * 3 + k]!;
      a += f[i * 3 + k]! ** 2;
      b += f[j * 3 + k]! ** 2;
    }
    return d / Math.sqrt(a * b);
  };
  let best = 1;
  for (let j = 2; j < 30; j++) if (cos(0, j) > cos(0, best)) best = j;
  const s = await ds.get(best);
  assert.deepEqual(
    g.queries[0]!.neighbours[0]!.values,
    Array.from(s.data, (v) => Math.round(v * 1e4) / 1e4),
  );
  assert.ok(Math.abs(g.queries[0]!.neighbours[0]!.similarity! - cos(0, best)) < 1e-4);
});

test('umap2d: seeded (same seed, same layout), one finite point per row', () => {
  const { features } = data();
  const a = umap2d(features, { seed: 3, epochs: 50 });
  const b = umap2d(features, { seed: 3, epochs: 50 });
  assert.deepEqual(a, b);
  assert.equal(a.x.length, 30);
  assert.ok([...a.x, ...a.y].every(Number.isFinite));
});
