import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { linearProbe } from '../../src/eval/linear-probe.js';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { assertNoLeakAsync, useBackend } from '../support/tensors.js';
import { gaussianClusters, randomLabels } from './synthetic.js';

before(() => useBackend());

const train = gaussianClusters(5, 60, 12, 3, 11, 12);
const test_ = gaussianClusters(5, 40, 12, 3, 11, 13);
const tr = { data: train.data, dim: 12 };
const te = { data: test_.data, dim: 12 };

test('separated clusters: ~100% test accuracy, λ chosen from the grid', async () => {
  const r = await linearProbe(tr, train.labels, te, test_.labels, { patience: Infinity });
  assert.ok(r.accuracy >= 0.99, `accuracy ${r.accuracy}`);
  assert.deepEqual(
    r.trials.map((t) => t.l2),
    [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6],
  ); // strongest first
  assert.ok(r.trials.some((t) => t.l2 === r.l2));
  assert.ok(r.validationAccuracy !== null && r.validationAccuracy >= 0.9);
  assert.equal(r.predictions.length, 200);
});

test('the grid walk stops after `patience` trials without improvement', async () => {
  const labels = randomLabels(300, 5, 3);
  // the whole walk; a walk with patience p is its prefix up to the p-th weaker trial in a row
  const all = (await linearProbe(tr, labels, te, test_.labels, { patience: Infinity })).trials;
  assert.equal(all.length, 7);
  const stopAfter = (patience: number): number => {
    let best = all[0]!;
    let stale = 0;
    for (let k = 1; k < all.length; k++) {
      const t = all[k]!;
      const better =
        t.validationAccuracy > best.validationAccuracy ||
        (t.validationAccuracy === best.validationAccuracy && t.validationCrossEntropy < best.validationCrossEntropy);
      if (better) best = t;
      stale = better ? 0 : stale + 1;
      if (stale >= patience) return k + 1;
    }
    return all.length;
  };
  assert.ok(stopAfter(1) < all.length, 'these labels must make a walk with patience 1 stop early, or the test checks nothing');
  for (const patience of [1, 2]) {
    const r = await linearProbe(tr, labels, te, test_.labels, { patience });
    assert.deepEqual(
      r.trials,
      all.slice(0, stopAfter(patience)),
      `patience ${patience}: the walk stops after ${stopAfter(patience)} trials`,
    );
    const i = r.trials.findIndex((t) => t.l2 === r.l2);
    assert.ok(
      i >= 0 && r.trials.every((t) => t.validationAccuracy <= r.trials[i]!.validationAccuracy),
      `patience ${patience}: the best trial's λ is chosen`,
    );
  }
});

test('random labels: ~chance', async () => {
  const r = await linearProbe(tr, randomLabels(300, 5, 3), te, randomLabels(200, 5, 4));
  assert.ok(r.accuracy > 0.08 && r.accuracy < 0.34, `accuracy ${r.accuracy} should be near 0.2`);
});

test('deterministic under the seed', async () => {
  const a = await linearProbe(tr, randomLabels(300, 5, 3), te, test_.labels, { seed: 5 });
  const b = await linearProbe(tr, randomLabels(300, 5, 3), te, test_.labels, { seed: 5 });
  assert.deepEqual(a, b);
});

test('constant features give no NaN (standardised to 0)', async () => {
  const data = train.data.slice();
  for (let i = 0; i < 300; i++) {
    data[i * 12] = 7; // column 0 constant
    data[i * 12 + 5] = 0; // column 5 constant zero
  }
  const r = await linearProbe({ data, dim: 12 }, train.labels, te, test_.labels);
  assert.ok(r.accuracy >= 0.95, `accuracy ${r.accuracy}`);
  const flat = await linearProbe(
    { data: new Float32Array(300 * 3).fill(1), dim: 3 },
    train.labels,
    { data: new Float32Array(200 * 3), dim: 3 },
    test_.labels,
  );
  assert.ok(Number.isFinite(flat.accuracy) && flat.trials.every((t) => Number.isFinite(t.validationCrossEntropy)));
});

test('few labels: one row per class (no validation slice) and six per class still work', async () => {
  const one = Int32Array.from([0, 1, 2, 3, 4]); // the first five rows are one of each class
  const r1 = await linearProbe({ data: train.data.subarray(0, 5 * 12), dim: 12 }, one, te, test_.labels);
  assert.equal(r1.validationAccuracy, null);
  assert.equal(r1.l2, 1e-3); // fallbackL2
  assert.ok(r1.accuracy >= 0.9, `1 per class: ${r1.accuracy}`);
  const r6 = await linearProbe({ data: train.data.subarray(0, 30 * 12), dim: 12 }, train.labels.subarray(0, 30), te, test_.labels);
  assert.ok(r6.validationAccuracy !== null);
  // 5-fold cross-validation holds out every row once: with one row's label wrong, no λ can
  // validate above 29 / 30 (one held-out slice of 5 rows would usually miss that row and score 1)
  const wrong = train.labels.slice(0, 30);
  wrong[0] = (wrong[0]! + 1) % 5;
  const rw = await linearProbe({ data: train.data.subarray(0, 30 * 12), dim: 12 }, wrong, te, test_.labels);
  assert.ok(rw.trials.length > 0);
  for (const t of rw.trials) assert.ok(t.validationAccuracy <= 29 / 30 + 1e-9, `λ ${t.l2}: validation accuracy ${t.validationAccuracy}`);
  assert.ok(r6.accuracy >= 0.95, `6 per class: ${r6.accuracy}`);
});

test('a class missing from train is never predicted but counts against accuracy', async () => {
  const keep = Array.from({ length: 300 }, (_, i) => i).filter((i) => train.labels[i] !== 4);
  const data = new Float32Array(keep.length * 12);
  keep.forEach((r, i) => data.set(train.data.subarray(r * 12, r * 12 + 12), i * 12));
  const r = await linearProbe(
    { data, dim: 12 },
    Int32Array.from(keep, (i) => train.labels[i]!),
    te,
    test_.labels,
    { numClasses: 5 },
  );
  assert.ok(!r.predictions.includes(4));
  assert.ok(r.accuracy <= 0.8 + 1e-9 && r.accuracy >= 0.75, `accuracy ${r.accuracy}`);
});

test('leaks no tensors; tensor inputs are not disposed', async () => {
  const x = tf.tensor2d(train.data, [300, 12]);
  const y = tf.tensor2d(test_.data, [200, 12]);
  await assertNoLeakAsync(async () => {
    await linearProbe(x, train.labels, y, test_.labels, { l2Grid: [1e-3, 1e-1], maxIterations: 20 });
    await linearProbe(tr, train.labels, te, test_.labels, { l2Grid: [1e-2] });
    await assert.rejects(linearProbe(x, train.labels, y, test_.labels, { l2Grid: [] }), ConfigError);
  }, 'linearProbe');
  assert.ok(!x.isDisposed && !y.isDisposed);
  tf.dispose([x, y]);
});

test('typed errors: sizes, labels out of range, options, non-finite features', async () => {
  await assert.rejects(
    linearProbe(tr, train.labels.subarray(1), te, test_.labels),
    (e: unknown) => e instanceof ShapeError && /linearProbe: `trainLabels` must have length 300/.test(e.message),
  );
  await assert.rejects(
    linearProbe(tr, train.labels, { data: new Float32Array(20), dim: 10 }, Int32Array.from([0, 1])),
    (e: unknown) => e instanceof ShapeError && /`testFeatures` must have 12 columns/.test(e.message),
  );
  await assert.rejects(
    linearProbe(tr, train.labels, te, test_.labels, { numClasses: 3 }),
    (e: unknown) => e instanceof DataError && /`trainLabels` must hold class ids in \[0, 2\]/.test(e.message),
  );
  await assert.rejects(
    linearProbe(tr, train.labels, te, test_.labels, { l2Grid: [-1] }),
    (e: unknown) => e instanceof ConfigError && /`l2Grid\[0\]` must be >= 0/.test(e.message),
  );
  await assert.rejects(
    linearProbe(tr, train.labels, te, test_.labels, { folds: 1 }),
    (e: unknown) => e instanceof ConfigError && /`folds` must be an integer >= 2/.test(e.message),
  );
  await assert.rejects(linearProbe(tr, train.labels, te, test_.labels, 3 as never), ConfigError);
  const bad = train.data.slice();
  bad[17] = NaN;
  await assert.rejects(
    linearProbe({ data: bad, dim: 12 }, train.labels, te, test_.labels),
    (e: unknown) => e instanceof DataError && /`trainFeatures` must hold finite values/.test(e.message),
  );
});
