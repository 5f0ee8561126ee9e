import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binSteps, buildReportData } from '../../src/run-report/build-report-data.js';
import { parseJsonl } from '../../src/run-report/parse-jsonl.js';
import { EVAL, STEPS, SWEEP, configObject, epochsText, metricsText } from './fixture-run.js';

const full = () => ({
  title: 'r1',
  config: JSON.stringify(configObject('runs/r1')),
  metrics: metricsText(),
  epochs: epochsText(),
  eval: JSON.stringify(EVAL),
});

test('buildReportData: a complete run has every section and no problem', () => {
  const d = buildReportData(full());
  assert.deepEqual(d.problems, []);
  assert.equal(d.steps.length, STEPS);
  assert.deepEqual(d.steps[0], { step: 1, loss: 5, lr: 1e-3 / 3 });
  assert.deepEqual(
    d.epochs.map((e) => e.knn),
    [0.6, 0.7, 0.8],
  );
  assert.deepEqual(d.labelEfficiency?.fractions, ['1%', '10%', '100%']);
  assert.deepEqual(
    d.labelEfficiency?.series.map((s) => s.name),
    ['encoder linear', 'encoder knn', 'pixels linear', 'pixels knn', 'random linear', 'random knn'],
  );
  assert.deepEqual(d.labelEfficiency?.series[2]!.values, [0.45, 0.85, 0.95]);
  assert.deepEqual(d.alignmentUniformity, [{ name: 'encoder (contrastive eval)', alignment: 0.4, uniformity: -3.1 }]);
  // the result's backend (where it trained) wins over the one recorded at the start
  assert.deepEqual(d.summary, {
    method: 'simclr',
    data: 'digits',
    backend: 'wasm',
    threads: 2,
    wallSeconds: 12.5,
    steps: STEPS,
    epochs: 3,
    created: '2026-01-01T00:00:00.000Z',
  });
  assert.equal(JSON.parse(JSON.stringify(d)).steps.length, STEPS, 'JSON round trip');
});

test('buildReportData: a truncated metrics.jsonl keeps every whole line and says what was cut', () => {
  const text = metricsText();
  const cut = text.slice(0, text.length - 25); // tears the last line
  const d = buildReportData({ ...full(), metrics: cut });
  assert.equal(d.steps.length, STEPS - 1);
  assert.equal(d.problems.length, 1);
  assert.match(d.problems[0]!, /metrics\.jsonl: the last line is truncated/);
});

test('buildReportData: missing files become problems and empty sections', () => {
  const d = buildReportData({ title: 'empty' });
  assert.equal(d.config, null);
  assert.deepEqual(d.steps, []);
  assert.deepEqual(d.epochs, []);
  assert.equal(d.labelEfficiency, null);
  assert.equal(d.umap, null);
  for (const f of ['config.json', 'metrics.jsonl', 'epochs.jsonl', 'eval.json'])
    assert.ok(
      d.problems.some((p) => p.startsWith(`${f} is missing`)),
      f,
    );
  assert.deepEqual(d.summary, {});
});

test('buildReportData: damaged JSON files are named, the rest renders', () => {
  const d = buildReportData({ ...full(), config: '{"options": ', eval: '[1, 2]' });
  assert.equal(d.config, null);
  assert.ok(d.problems.some((p) => /^config\.json is not valid JSON/.test(p)));
  assert.ok(d.problems.some((p) => /^eval\.json is not a JSON object/.test(p)));
  assert.equal(d.steps.length, STEPS);
  assert.equal(d.summary.steps, STEPS, 'steps from metrics when config is unreadable');
});

test('buildReportData: extras are added and their problems listed', () => {
  const d = buildReportData(full(), {
    umap: { x: [0, 1], y: [1, 0], labels: [0, 1], classNames: ['a', 'b'] },
    alignmentUniformity: [{ name: 'random initialisation', alignment: 1, uniformity: -1 }],
    problems: ['x is missing'],
    generated: 'now',
  });
  assert.equal(d.umap?.x.length, 2);
  assert.deepEqual(
    d.alignmentUniformity.map((p) => p.name),
    ['random initialisation', 'encoder (contrastive eval)'],
  );
  assert.deepEqual(d.problems, ['x is missing']);
  assert.equal(d.generated, 'now');
});

test('parseJsonl: a bad middle line is named by number', () => {
  const r = parseJsonl('{"a":1}\nnot json\n{"a":2}\n', 'f.jsonl');
  assert.deepEqual(r.records, [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(r.problems, ['f.jsonl: line 2 is not a JSON object; it was skipped']);
});

test('buildReportData: a long run is averaged over bins of steps to at most maxStepPoints points', () => {
  const d = buildReportData({ ...full(), metrics: metricsText(100) }, { maxStepPoints: 30 });
  assert.equal(d.steps.length, 25); // bins of 4
  assert.deepEqual(d.steps[0], { step: 4, loss: (5 + 4.95 + 4.9 + 4.85) / 4, lr: 1e-3 });
  assert.equal(d.steps.at(-1)!.step, 100);
  const short = [{ step: 1, loss: 1, lr: 0 }];
  assert.equal(binSteps(short, 10), short);
});

test('buildReportData: a run inside a temperature sweep gets the τ section with its own τ', async () => {
  const inSweep = buildReportData({ ...full(), title: 'simclr-t0.5', sweep: JSON.stringify(SWEEP) });
  assert.deepEqual(inSweep.problems, []);
  assert.equal(inSweep.temperature!.current, 0.5, 'config.json recipe.temperature');
  assert.deepEqual(
    inSweep.temperature!.points.map((p) => p.run),
    ['simclr-t0.1', 'simclr-t0.5', 'simclr-t2'],
  );
  // a folder's sweep that does not list this run: shown, but no point is "this run"
  const other = buildReportData({ ...full(), sweep: JSON.stringify(SWEEP) });
  assert.equal(other.temperature!.current, undefined);
  assert.equal(buildReportData(full()).temperature, null);
  const broken = buildReportData({ ...full(), sweep: '{' });
  assert.equal(broken.temperature, null);
  assert.match(broken.problems.join('\n'), /temperature-sweep\.json is not valid JSON/);
});
