import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRunReport } from '../../src/node/run-report/write-run-report.js';
import { DataError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';
import { makeRunFolder } from './fixture-run.js';

let dir: string;
before(async () => {
  await useBackend('cpu');
  dir = await makeRunFolder();
});

test('writeRunReport: UMAP of every test sample, retrieval grid, a point per checkpoint', async () => {
  const r = await writeRunReport(dir, { umapEpochs: 50, testLimit: 200 });
  assert.deepEqual(r.problems, []);
  assert.equal(r.path, join(dir, 'report.html'));
  const html = readFileSync(r.path, 'utf8');
  assert.ok(html.trimEnd().endsWith('</html>'));
  // digits has no test split: the report embeds 200 of eval's stratified 20%
  assert.equal(r.data.umap!.x.length, 200);
  assert.deepEqual(new Set(r.data.umap!.labels).size, 10);
  assert.ok(r.data.umap!.x.every(Number.isFinite) && r.data.umap!.y.every(Number.isFinite));
  const rt = r.data.retrieval!;
  assert.equal(rt.queries.length, 8);
  assert.deepEqual(new Set(rt.queries.map((q) => q.query.label)).size, 8, 'one query per class first');
  for (const q of rt.queries) {
    assert.equal(q.neighbours.length, 6);
    assert.equal(q.query.values.length, 64);
    const sims = q.neighbours.map((n) => n.similarity!);
    assert.deepEqual(
      sims,
      [...sims].sort((a, b) => b - a),
      'nearest first',
    );
  }
  assert.deepEqual(
    r.data.alignmentUniformity.map((p) => p.name),
    ['random initialisation', 'final encoder', 'encoder (contrastive eval)'],
  );
  for (const p of r.data.alignmentUniformity)
    assert.ok(p.alignment >= 0 && p.alignment <= 4 && p.uniformity <= 0 && p.uniformity >= -8, JSON.stringify(p));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temp file left',
  );
});

test('writeRunReport: a damaged run still gets a whole page that lists what is missing', async () => {
  const damaged = await makeRunFolder();
  rmSync(join(damaged, 'encoder'), { recursive: true });
  rmSync(join(damaged, 'eval.json'));
  const m = readFileSync(join(damaged, 'metrics.jsonl'), 'utf8');
  writeFileSync(join(damaged, 'metrics.jsonl'), m.slice(0, m.length - 30));
  const r = await writeRunReport(damaged, { umapEpochs: 20, testLimit: 100 });
  assert.equal(r.data.umap, null);
  assert.equal(r.data.steps.length, 29);
  assert.deepEqual(
    r.data.alignmentUniformity.map((p) => p.name),
    ['random initialisation'],
  );
  const joined = r.problems.join('\n');
  assert.match(joined, /encoder\/model\.json is missing/);
  assert.match(joined, /eval\.json is missing/);
  assert.match(joined, /metrics\.jsonl: the last line is truncated/);
  assert.ok(readFileSync(r.path, 'utf8').trimEnd().endsWith('</html>'));
});

test('writeRunReport: a failed write leaves the previous page as it was', async () => {
  const good = join(dir, 'report.html');
  const before = readFileSync(good, 'utf8');
  // the target is a folder: the rename fails after the page was rendered and written to a temp file
  const blocked = join(dir, 'blocked.html');
  mkdirSync(join(blocked, 'x'), { recursive: true });
  await assert.rejects(writeRunReport(dir, { skipEmbeddings: true, out: blocked }), DataError);
  assert.ok(existsSync(join(blocked, 'x')));
  assert.equal(readFileSync(good, 'utf8'), before);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'temp file removed',
  );
});

test('writeRunReport: not a run folder is a DataError naming it', async () => {
  await assert.rejects(
    writeRunReport(join(dir, 'nope')),
    (e: unknown) => e instanceof DataError && /readRunTexts: `dir` must be a run folder/.test(e.message),
  );
});
