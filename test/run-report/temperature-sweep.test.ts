import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemperatureSweep } from '../../src/run-report/temperature-sweep.js';
import { SWEEP } from './fixture-run.js';

test('parseTemperatureSweep: points sorted by τ, metrics that were not measured are null', () => {
  const problems: string[] = [];
  const s = parseTemperatureSweep(JSON.stringify(SWEEP), 'temperature-sweep.json', problems);
  assert.deepEqual(problems, []);
  assert.equal(s!.loss, 'ntxent');
  assert.equal(s!.steps, 300);
  assert.deepEqual(
    s!.points.map((p) => p.temperature),
    [0.1, 0.5, 2],
  );
  assert.deepEqual(s!.points[2], SWEEP.points[2]);
  assert.deepEqual(s!.points[1]!.linear, { '1%': 0.66, '10%': 0.77 });
});

test('parseTemperatureSweep: damaged points are left out and counted; the rest is kept', () => {
  const problems: string[] = [];
  const damaged = {
    ...SWEEP,
    points: [
      ...SWEEP.points,
      { temperature: -1, run: 'x', linear: {}, knn: {} },
      { temperature: 1, run: 'y', linear: { '1%': 'high' }, knn: {} },
      null,
    ],
  };
  const s = parseTemperatureSweep(JSON.stringify(damaged), 'sweep.json', problems);
  assert.equal(s!.points.length, 3);
  assert.deepEqual(problems, ['sweep.json: 3 of 6 points are damaged and were left out']);
});

test('parseTemperatureSweep: not JSON, or JSON that is not a sweep, is a problem and no sweep', () => {
  const problems: string[] = [];
  assert.equal(parseTemperatureSweep('{"loss": "ntxent", "ste', 'a.json', problems), null);
  assert.equal(parseTemperatureSweep('[1, 2]', 'b.json', problems), null);
  assert.equal(parseTemperatureSweep(JSON.stringify({ loss: 'ntxent', steps: 3 }), 'c.json', problems), null);
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /^a\.json is not valid JSON \(/);
  assert.match(problems[1]!, /^b\.json is not a temperature sweep/);
  assert.match(problems[2]!, /^c\.json is not a temperature sweep/);
});
