/**
 * CPC in the CLI: the length/geometry/K choices from the data, the typed errors of bad sequences,
 * and `pretrain --method cpc` + `eval --json` end to end on a tiny synthetic WAV folder and a tiny
 * UCR set written to a temp dir (child processes, the real command line).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequenceDataset } from '../../src/data/sequence-dataset.js';
import { encodeWav } from '../../src/data/wav.js';
import { cpcRecipe, cpcSequenceData, fitSequenceLength } from '../../src/recipes/cpc-recipe.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'contrastive-cpc-'));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A class-dependent sum of two sinusoids (frequencies in cycles per sample), random phase. */
function tone(n: number, cls: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const p = (seed * 0.6180339) % 1;
  for (let i = 0; i < n; i++)
    out[i] = 0.4 * Math.sin(2 * Math.PI * (0.01 + 0.02 * cls) * i + 6.28 * p) + 0.2 * Math.sin(2 * Math.PI * (0.13 - 0.03 * cls) * i);
  return out;
}

test('cpcRecipe: audio geometry and K = 12 from 2000 steps; short series get stride 4 and fewer steps', () => {
  const a = cpcRecipe(3360, {});
  assert.deepEqual([a.strides, a.kernelSizes, a.predictionSteps, a.window, a.standardize], [[5, 4, 2, 2], [10, 8, 4, 4], 12, 3360, true]);
  assert.equal(cpcRecipe(20000, {}).window, 4096);
  const s = cpcRecipe(140, {});
  assert.deepEqual([s.strides, s.predictionSteps, s.window, s.standardize], [[2, 2], 6, 140, false]);
  assert.throws(
    () => cpcRecipe(300, { window: 400 }),
    (e: Error) => e instanceof ConfigError && /--window/.test(e.message),
  );
});

test('cpcSequenceData: variable lengths without a length, and too-short sequences, are typed errors naming the sample', async () => {
  const varying = new SequenceDataset({ name: 'v', series: [new Float32Array(300), new Float32Array(120), new Float32Array(200)] });
  await assert.rejects(
    cpcSequenceData(varying, {}),
    (e: Error) =>
      e instanceof ConfigError &&
      /`--length` is needed: the sequences vary in length \(sample 1 has 120 steps, others up to 300\)/.test(e.message),
  );
  const fixed = await cpcSequenceData(varying, { length: 150 });
  assert.deepEqual(fixed.data.sampleShape, [150, 1]);
  const auto = await cpcSequenceData(varying, { autoLength: true });
  assert.equal(auto.length, 200);
  const short = new SequenceDataset({ name: 's', series: [new Float32Array(40), new Float32Array(40)] }); // tiny geometry: needs 3 + 3 = 6... with K 12: 15
  await assert.rejects(
    cpcSequenceData(short, { predictionSteps: 39 }),
    (e: Error) => e instanceof DataError && /sample 0 has 40 steps.*needs at least 42 steps for K = 39/.test(e.message),
  );
  const run = { kind: 'sequence', inputShape: [150, 1] };
  assert.deepEqual(fitSequenceLength(varying, run).sampleShape, [150, 1]);
});

test('pretrain --method cpc --data wav:<dir>, then eval --json on the same folder', () => {
  const dir = join(work, 'wav');
  mkdirSync(dir);
  let k = 0;
  for (const digit of [0, 1])
    for (const speaker of ['ann', 'bob'])
      for (let i = 0; i < 8; i++)
        writeFileSync(join(dir, `${digit}_${speaker}_${i}.wav`), encodeWav(tone(2200 + 37 * ((k += 1) % 9), digit, k), 8000));
  const out = join(work, 'runs', 'wav');
  const p = cli([
    'pretrain',
    '--method',
    'cpc',
    '--data',
    `wav:${dir}`,
    '--steps',
    '2',
    '--batch-size',
    '8',
    '--monitor',
    '0',
    '--no-report',
    '--out',
    out,
  ]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /median/);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.recipe.arch, 'conv1d-gru');
  assert.equal(config.recipe.cpc.predictionSteps, 12);
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(steps.length, 2);
  assert.ok(
    steps.every((s) => Number.isFinite(s.loss) && s.acc1 >= 0 && s.acc12 <= 1),
    JSON.stringify(steps[0]),
  );
  assert.ok(existsSync(join(out, 'encoder', 'model.json')));
  const e = cli(['eval', '--run', out, '--json', '--pairs', '8']);
  assert.equal(e.status, 0, e.stderr);
  const report = JSON.parse(e.stdout);
  assert.ok(report.linear['100%'] >= 0 && report.linear['100%'] <= 1, e.stdout.slice(0, 300));
  assert.ok(report.baselines.random !== undefined && report.baselines.pixels !== undefined);
});

test('pretrain --method cpc --data ucr:<dir> and eval --json; a NaN inside a series is a DataError', () => {
  const dir = join(work, 'Toy');
  mkdirSync(dir);
  const rows = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) =>
      [String((i % 2) + 1), ...Array.from(tone(96, i % 2, seed + i), (v) => v.toFixed(5))].join('\t'),
    ).join('\n');
  writeFileSync(join(dir, 'Toy_TRAIN.tsv'), rows(16, 1));
  writeFileSync(join(dir, 'Toy_TEST.tsv'), rows(10, 50));
  const out = join(work, 'runs', 'ucr');
  const p = cli([
    'pretrain',
    '--method',
    'cpc',
    '--data',
    `ucr:${dir}`,
    '--steps',
    '2',
    '--batch-size',
    '8',
    '--monitor',
    '0',
    '--no-report',
    '--out',
    out,
  ]);
  assert.equal(p.status, 0, p.stderr);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(config.recipe.inputShape, [96, 1]);
  assert.deepEqual(config.recipe.cpc.strides, [2, 2]);
  const e = cli(['eval', '--run', out, '--json', '--pairs', '8']);
  assert.equal(e.status, 0, e.stderr);
  assert.ok(JSON.parse(e.stdout).knn['100%'] >= 0);

  const bad = join(work, 'Bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'Bad_TRAIN.tsv'), rows(4, 1).replace(/\t[-0-9.]+\t/, '\tNaN\t'));
  const b = cli(['pretrain', '--method', 'cpc', '--data', `ucr:${bad}`, '--steps', '1', '--out', join(work, 'runs', 'bad')]);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /row 1, column 3: a value follows a NaN|non-finite/);
});
