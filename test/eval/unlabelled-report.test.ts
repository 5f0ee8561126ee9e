import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateUnlabelled, formatUnlabelledReport } from '../../src/eval/unlabelled-report.js';
import { useBackend, randn } from '../support/tensors.js';

before(() => useBackend());

test('evaluateUnlabelled: k-means finds two separated groups (sizes, small inertia); a collapsed representation shows as std 0', async () => {
  const d = 8;
  const n = 60;
  const noise = randn(n * d, 5);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = 0.05 * noise[i * d + j]!;
    data[i * d + (i < 40 ? 0 : 1)]! += 1; // 40 rows near e1, 20 near e2
  }
  const f = { data, dim: d };
  const r = await evaluateUnlabelled({ features: f, positivePairs: { x: f, y: f }, k: 2 });
  assert.equal(r.rows, 60);
  assert.deepEqual(r.kmeans.sizes, [40, 20]);
  assert.ok(r.kmeans.inertia < 60 * 0.05, `inertia ${JSON.stringify(r)}`);
  assert.ok(Math.abs(r.alignment) < 1e-6, 'identical views are perfectly aligned');
  assert.ok(r.embeddingStd > 0.1, `std ${r.embeddingStd}`); // (2 x 0.47 + 6 x ~0.05) / 8
  assert.match(formatUnlabelledReport(r), /cluster sizes 40, 20/);
  const collapsed = { data: new Float32Array(n * d).fill(1), dim: d };
  const c = await evaluateUnlabelled({ features: collapsed, positivePairs: { x: collapsed, y: collapsed }, k: 3 });
  assert.ok(c.embeddingStd < 1e-6);
  assert.ok(c.kmeans.inertia < 1e-6);
});
