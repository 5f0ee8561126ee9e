import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { knnAccuracy } from '../../src/eval/knn.js';
import { KNN_PAPER_PROTOCOL, KNN_PROTOCOL, knnOptions } from '../../src/eval/knn-protocol.js';
import { labelEfficiency } from '../../src/eval/label-efficiency.js';
import { useBackend } from '../support/tensors.js';
import { gaussianClusters } from './synthetic.js';

before(() => useBackend());

test('KNN_PROTOCOL is the default of knnAccuracy (k = 20, σ = 0.07); the paper protocol is k = 200, σ = 0.1', async () => {
  assert.deepEqual(knnOptions(KNN_PROTOCOL), { k: 20, temperature: 0.07 });
  assert.deepEqual(knnOptions(KNN_PAPER_PROTOCOL), { k: 200, temperature: 0.1 });
  const train = gaussianClusters(5, 60, 6, 1.2, 3, 4);
  const test_ = gaussianClusters(5, 20, 6, 1.2, 3, 5);
  const f = (s: typeof train) => ({ data: s.data, dim: 6 });
  const byDefault = await knnAccuracy(f(train), train.labels, f(test_), test_.labels);
  assert.equal(byDefault, await knnAccuracy(f(train), train.labels, f(test_), test_.labels, { k: 20, temperature: 0.07 }));
});

test('with few labels and crowded similarities, k = 200 is a vote of every labelled row decided by class frequency; k = 20 stays local', async () => {
  // 10 classes, 50 labelled rows, one class holding 14 of them (as a 1% split of a skewed set can)
  const all = gaussianClusters(10, 40, 8, 1.5, 11, 12);
  const pick: number[] = [];
  const per = new Array<number>(10).fill(0);
  for (let i = 0; i < all.labels.length; i++) {
    const c = all.labels[i]!;
    if (per[c]! < (c === 0 ? 14 : 4)) {
      per[c]!++;
      pick.push(i);
    }
  }
  // a large shared offset, as pooled ReLU features have: every cosine similarity lies near 1
  const crowd = (v: Float32Array) => v.map((x) => 20 + x);
  const train = { data: crowd(new Float32Array(pick.flatMap((i) => Array.from(all.data.subarray(i * 8, i * 8 + 8))))), dim: 8 };
  const trainLabels = Int32Array.from(pick, (i) => all.labels[i]!);
  const test_ = gaussianClusters(10, 30, 8, 1.5, 11, 13);
  const testF = { data: crowd(test_.data), dim: 8 };
  const local = await knnAccuracy(train, trainLabels, testF, test_.labels, knnOptions(KNN_PROTOCOL));
  const paper = await knnAccuracy(train, trainLabels, testF, test_.labels, knnOptions(KNN_PAPER_PROTOCOL));
  assert.ok(local > 0.4, `k = 20: ${local}`);
  assert.ok(paper < local - 0.15, `k = 200: ${paper} vs k = 20: ${local}`);
});

test('labelEfficiency reports knn200 only where at least minLabelledRows rows are labelled', async () => {
  const big = gaussianClusters(2, KNN_PAPER_PROTOCOL.minLabelledRows / 2, 4, 3, 21, 22);
  const test_ = gaussianClusters(2, 50, 4, 3, 21, 23);
  const r = await labelEfficiency({
    train: { features: { data: big.data, dim: 4 }, labels: big.labels },
    test: { features: { data: test_.data, dim: 4 }, labels: test_.labels },
    fractions: [0.1, 1],
    linear: { l2Grid: [1e-2], maxIterations: 20 },
  });
  assert.deepEqual(Object.keys(r.knn), ['10%', '100%']);
  assert.deepEqual(Object.keys(r.knn200 ?? {}), ['100%'], '10% is 500 labelled rows: below the threshold');
  assert.ok(r.knn200!['100%']! > 0.9);
  const off = await labelEfficiency({
    train: { features: { data: big.data, dim: 4 }, labels: big.labels },
    test: { features: { data: test_.data, dim: 4 }, labels: test_.labels },
    fractions: [1],
    linear: { l2Grid: [1e-2], maxIterations: 20 },
    paperKnn: false,
  });
  assert.equal(off.knn200, undefined);
});
