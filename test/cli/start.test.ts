/**
 * `npm start` end to end on a tiny budget (2 steps of 32 pairs, probes on 200 labelled images):
 * the report is written after the evaluation, so the page carries the label-efficiency chart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStart, startRecipe, START_AUGMENTATION, START_TEMPERATURE } from '../../src/cli/start.js';
import { buildMethod, DEFAULT_TEMPERATURE } from '../../src/recipes/recipe.js';
import { ConfigError } from '../../src/errors.js';

test('runStart: report.html is written after eval and has the label-efficiency chart', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'contrastive-start-')), 'start');
  const lines: string[] = [];
  try {
    const r = await runStart({
      steps: 2,
      batchSize: 32,
      limit: 256,
      evalTrain: 200,
      evalTest: 100,
      pairs: 50,
      out,
      quiet: true,
      log: (l) => lines.push(l),
      report: { testLimit: 100, umapEpochs: 20, pairs: 50 },
    });
    assert.ok(r.report !== null, lines.join('\n'));
    assert.equal(r.report.path, join(out, 'report.html'));
    assert.ok(!r.report.problems.some((p) => /eval\.json/.test(p)), r.report.problems.join('\n'));
    const le = r.report.data.labelEfficiency!;
    assert.deepEqual(le.fractions, ['1%', '10%', '100%']);
    assert.deepEqual(
      le.series.map((s) => s.name),
      ['encoder linear', 'encoder knn', 'pixels linear', 'pixels knn', 'random linear', 'random knn'],
    );
    // the chart's numbers are the evaluation's
    assert.deepEqual(
      le.series[0]!.values,
      ['1%', '10%', '100%'].map((f) => r.eval.linear[f as '1%']),
    );
    // and they are in the page that was written
    const html = readFileSync(r.report.path, 'utf8');
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
    assert.ok(json !== undefined, 'the page embeds its data');
    const page = JSON.parse(json) as { labelEfficiency: { series: { values: number[] }[] } | null };
    assert.equal(page.labelEfficiency?.series.length, 6);
    assert.ok(page.labelEfficiency.series.every((s) => s.values.length === 3 && s.values.every((v) => v >= 0 && v <= 1)));
    assert.ok(
      lines.some((l) => l.startsWith('report: ') && l.includes('report.html')),
      lines.join('\n'),
    );
    const recipe = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).recipe;
    assert.equal(recipe.arch, 'small-cnn');
    assert.equal(recipe.featureBatchNorm, true, 'images get the centred representation h by default');
    assert.equal(recipe.temperature, START_TEMPERATURE, "npm start's short-budget τ (bench start-recipe)");
    assert.equal(recipe.augmentation, START_AUGMENTATION);
    assert.ok(r.trainSeconds > 0 && r.trainSeconds < 600, `trainSeconds ${r.trainSeconds}`);
    assert.deepEqual(Object.keys(r.eval.knnEmbedding ?? {}), ['1%', '10%', '100%'], 'kNN on the projection head output z too');
    assert.ok(
      lines.some((l) => /kNN on the embedding z .*trained .*random/.test(l)),
      'the printed table gives kNN on z',
    );
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

test("startRecipe: SimCLR with npm start's τ by default, another method with its own τ, an unknown one refused", () => {
  assert.equal(startRecipe().method, 'simclr');
  assert.equal(startRecipe().temperature, START_TEMPERATURE);
  assert.equal(startRecipe({ method: 'npid' }).temperature, DEFAULT_TEMPERATURE.npid);
  assert.equal(startRecipe({ method: 'moco', temperature: 0.3 }).temperature, 0.3);
  // the recipe the budget's step measurement builds: NPID's needs its bank size
  for (const method of ['simclr', 'npid', 'moco', 'invaspread']) {
    const m = buildMethod({
      recipe: startRecipe({ method }),
      optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 0, clipNorm: 0 },
    });
    m.dispose();
  }
  assert.throws(
    () => startRecipe({ method: 'byol' }),
    (e: unknown) => e instanceof ConfigError && /startRecipe/.test(e.message) && /method/.test(e.message) && /'byol'/.test(e.message),
  );
});
