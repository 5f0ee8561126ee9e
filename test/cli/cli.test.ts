/**
 * The CLI end to end on the bundled digits (1,797 vectors: tiny and fast): pretrain, eval --json,
 * embed, doctor, --help, bad options (exit 2, one line), Ctrl-C then --resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '../../src/node/data/npy-file.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'contrastive-cli-'));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr without tfjs's one-time banner. */
const errLines = (s: string): string[] =>
  s.split('\n').filter((l) => l.trim() !== '' && !/^(=+|Hi, looks like you are running TensorFlow\.js)/.test(l));

const run = join(work, 'runs', 'digits');
const SMALL = ['--data', 'digits', '--limit', '600', '--batch-size', '128', '--monitor', '60'];

test('pretrain 1 epoch on digits writes a run folder; eval --json prints one object with every key', () => {
  const p = cli(['pretrain', '--method', 'simclr', ...SMALL, '--epochs', '1', '--out', run]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /backend \w+, \d+ threads?/);
  for (const f of [
    'config.json',
    'metrics.jsonl',
    'epochs.jsonl',
    'checkpoint.bin',
    'encoder/model.json',
    'encoder/weights.bin',
    'encoder-random/model.json',
    'head/model.json',
    'head-random/model.json',
  ]) {
    assert.ok(existsSync(join(run, f)), `${f} missing`);
  }
  const steps = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(steps.length, 4); // (600 - 60 monitor) / 128 -> 4 full batches
  assert.ok(steps.every((s) => Number.isFinite(s.loss) && s.lr > 0));
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal(config.recipe.arch, 'mlp');
  assert.equal(config.recipe.augmentation, 'vector-corruption');
  assert.equal(config.recipe.head, 'mlp');

  const e = cli(['eval', '--run', run, '--data', 'digits', '--limit', '500', '--test-limit', '150', '--pairs', '100', '--json']);
  assert.equal(e.status, 0, e.stderr);
  const lines = e.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'stdout must be exactly one JSON line');
  const r = JSON.parse(lines[0]!);
  const acc = (o: Record<string, number>) => {
    assert.deepEqual(Object.keys(o).sort(), ['1%', '10%', '100%'].sort());
    for (const v of Object.values(o)) assert.ok(v >= 0 && v <= 1);
  };
  acc(r.linear);
  acc(r.knn);
  for (const b of ['pixels', 'random']) {
    acc(r.baselines[b].linear);
    acc(r.baselines[b].knn);
  }
  assert.ok(Number.isFinite(r.kmeans.nmi) && Number.isFinite(r.kmeans.ari));
  assert.ok(Number.isFinite(r.alignment) && Number.isFinite(r.uniformity));
  assert.equal(r.labelSubsets, 5, 'below 100% the mean of 5 labelled subsets');
  assert.deepEqual(Object.keys(r.spread.knn), ['1%', '10%']);
  // digits has 10 classes: a trained encoder with 100% labels is far above chance
  assert.ok(r.linear['100%'] > 0.5, `linear 100% = ${r.linear['100%']}`);
  // kNN on the embedding z of the trained and the random network too; pixels have none
  acc(r.knnEmbedding);
  acc(r.baselines.random.knnEmbedding);
  assert.equal(r.baselines.pixels.knnEmbedding, undefined);

  // a run without its head (made before heads were saved): no knnEmbedding, the rest unchanged
  renameSync(join(run, 'head'), join(run, 'head-away'));
  try {
    const old = cli(['eval', '--run', run, '--data', 'digits', '--limit', '500', '--test-limit', '150', '--pairs', '100', '--json']);
    assert.equal(old.status, 0, old.stderr);
    const o = JSON.parse(old.stdout.trim());
    assert.equal(o.knnEmbedding, undefined);
    assert.equal(o.baselines.random.knnEmbedding, undefined);
    assert.deepEqual(o.linear, r.linear);
    assert.deepEqual(o.knn, r.knn);
  } finally {
    renameSync(join(run, 'head-away'), join(run, 'head'));
  }
});

test('pretrain --method npid (nce, softmax) and invaspread on digits, then eval --json: the same run folder and keys as simclr', () => {
  for (const [name, extra] of [
    ['npid-nce', ['--method', 'npid', '--negatives', '64']],
    ['npid-softmax', ['--method', 'npid', '--objective', 'softmax', '--bank-init', 'random', '--head', 'linear']],
    ['invaspread', ['--method', 'invaspread']],
  ] as const) {
    const out = join(work, 'runs', name);
    const p = cli(['pretrain', ...extra, ...SMALL, '--steps', '3', '--no-report', '--out', out]);
    assert.equal(p.status, 0, `${name}: ${p.stderr}`);
    for (const f of [
      'config.json',
      'checkpoint.bin',
      'encoder/model.json',
      'encoder-random/model.json',
      'head/model.json',
      'head-random/model.json',
    ])
      assert.ok(existsSync(join(out, f)), `${name}: ${f} missing`);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.recipe.head, name === 'npid-softmax' ? 'linear' : 'mlp', `${name}: the MLP head by default; --head overrides`);
    if (name.startsWith('npid')) {
      assert.equal(config.recipe.bankSize, 540, `${name}: one bank row per training sample (600 - 60 monitor)`);
      assert.equal(config.recipe.bankInit, name === 'npid-nce' ? 'features' : 'random');
    }
    const e = cli(['eval', '--run', out, '--data', 'digits', '--limit', '300', '--test-limit', '100', '--pairs', '50', '--json']);
    assert.equal(e.status, 0, `${name}: ${e.stderr}`);
    const r = JSON.parse(e.stdout.trim());
    for (const probe of [r.linear, r.knn, r.baselines.pixels.linear, r.baselines.random.knn]) {
      assert.deepEqual(Object.keys(probe).sort(), ['1%', '10%', '100%'].sort(), name);
    }
  }
});

test('embed writes .npy with ids and int32 labels beside it, .csv and .jsonl', async () => {
  const npy = join(work, 'emb', 'h.npy');
  const a = cli(['embed', '--run', run, '--data', 'digits', '--limit', '50', '--out', npy]);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /\[50, 128\]/);
  const labels = await readNpy(join(work, 'emb', 'h.labels.npy'));
  assert.equal(labels.dtype, 'int32');
  assert.deepEqual(labels.shape, [50]);
  const ids = readFileSync(join(work, 'emb', 'h.ids.txt'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(ids.length, 50);
  const csv = join(work, 'emb', 'h.csv');
  assert.equal(cli(['embed', '--run', run, '--limit', '20', '--out', csv]).status, 0);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows.length, 21);
  assert.equal(rows[0]!.split(',').length, 130);
  assert.equal(rows[0]!.split(',')[0], 'id');
  assert.equal(rows[0]!.split(',').at(-1), 'label');
  const jl = join(work, 'emb', 'h.out');
  assert.equal(cli(['embed', '--run', run, '--limit', '10', '--out', jl, '--format', 'jsonl']).status, 0);
  const objs = readFileSync(jl, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(objs.length, 10);
  assert.deepEqual(Object.keys(objs[0]), ['id', 'label', 'vector']);
  assert.ok(Number.isInteger(objs[0].label) && objs[0].vector.length === 128);
});

test('embed --json prints one object: the files written, the shape and the format', () => {
  const out = join(work, 'j.npy');
  const r = cli(['embed', '--run', run, '--limit', '30', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]!) as { files: string[]; shape: number[]; format: string };
  assert.deepEqual(j.shape.length, 2);
  assert.ok(j.shape[0]! >= 29 && j.shape[0]! <= 30, `rows ${j.shape[0]}`);
  assert.equal(j.format, 'npy');
  assert.ok(j.files.includes(out) && j.files.every((f) => existsSync(f)));
});

test("pretrain --config starts from a run's config.json, flags override it; --json prints one summary", () => {
  const again = join(work, 'runs', 'from-config');
  const r = cli(['pretrain', '--config', join(run, 'config.json'), '--out', again, '--steps', '2', '--seed', '5', '--no-report', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  const summary = JSON.parse(lines[0]!) as {
    status: string;
    out: string;
    method: string;
    steps: number;
    trainSize: number;
    backend: { name: string };
  };
  assert.equal(summary.status, 'done');
  assert.equal(summary.out, again);
  assert.equal(summary.steps, 2);
  assert.ok(summary.trainSize > 0 && typeof summary.backend.name === 'string');
  const first = (JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { options: Record<string, unknown> }).options;
  const second = (JSON.parse(readFileSync(join(again, 'config.json'), 'utf8')) as { options: Record<string, unknown> }).options;
  // from the file: the data, the method and the batch; from the flags: out, steps, seed, report
  for (const k of ['data', 'method', 'batchSize', 'limit', 'monitor']) assert.deepEqual(second[k], first[k], k);
  assert.equal(second.steps, 2);
  assert.equal(second.seed, 5);
  assert.equal(second.report, false);
  // a config that is not JSON, or sets what pretrain has no flag for: one line, exit 2
  writeFileSync(join(work, 'bad.json'), '{ "method": ');
  writeFileSync(join(work, 'unknown.json'), JSON.stringify({ method: 'simclr', data: 'digits', epochz: 3 }));
  writeFileSync(join(work, 'typed.json'), JSON.stringify({ data: 'digits', batchSize: 'big' }));
  for (const [file, re] of [
    ['bad.json', /is not JSON/],
    ['unknown.json', /sets 'epochz', which is not an option of pretrain/],
    ['typed.json', /sets 'batchSize' to "big", expected a number/],
  ] as const) {
    const b = cli(['pretrain', '--config', join(work, file), '--out', join(work, 'runs', `x-${file}`)]);
    assert.equal(b.status, 2, `${file}: ${b.stderr}`);
    const err = errLines(b.stderr);
    assert.equal(err.length, 1, err.join('\n'));
    assert.match(err[0]!, re);
  }
});

test('a wrong option or value exits 2 with one line naming it', () => {
  const cases: [string[], RegExp][] = [
    [['pretrain', '--data', 'digits', '--out', join(work, 'x'), '--epochs', 'abc'], /--epochs/],
    [['pretrain', '--data', 'digits', '--out', join(work, 'x'), '--arch', 'vgg'], /--arch/],
    [['pretrain', '--data', 'digits', '--out', join(work, 'x'), '--bogus'], /--bogus/],
    [['pretrain', '--data', 'nosuch:thing', '--out', join(work, 'x')], /nosuch/],
    [['pretrain', '--data', 'digits', '--out', join(work, 'x'), '--arch', 'small-cnn'], /small-cnn takes images/],
    [['pretrain', '--data', 'digits', '--out', run], /already holds a run/],
    [['eval', '--run', join(work, 'missing')], /not a run folder/],
    [['embed', '--run', run, '--out', join(work, 'h.txt')], /\.npy, \.csv or \.jsonl/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    const lines = errLines(r.stderr);
    assert.equal(lines.length, 1, `${args.join(' ')}: expected one line, got:\n${lines.join('\n')}`);
    assert.match(lines[0]!, re);
  }
});

test('--help on every command; doctor names the backend', () => {
  for (const c of ['pretrain', 'eval', 'embed', 'doctor']) {
    const r = cli([c, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`Usage: contrastive ${c}`));
  }
  const d = cli(['doctor']);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /chosen: backend \w+/);
  assert.match(d.stdout, /native addon: /);
});

test("--version prints package.json's version; doctor --json prints one object", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const v = cli([flag]);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `${pkg.version}\n`);
  }
  const d = cli(['doctor', '--json']);
  assert.equal(d.status, 0, d.stderr);
  const lines = d.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one line of JSON');
  const r = JSON.parse(lines[0]!) as Record<string, unknown> & {
    backend: { name: string; threads: number; skipped: unknown[] };
    native: { loaded: boolean };
  };
  assert.equal(r.contrastive, pkg.version);
  assert.ok(['tensorflow', 'native', 'wasm'].includes(r.backend.name), r.backend.name);
  assert.ok(r.backend.threads >= 1);
  assert.ok(Array.isArray(r.backend.skipped));
  assert.equal(typeof r.native.loaded, 'boolean');
  assert.ok(typeof r.matmulGflops === 'number' && r.matmulGflops > 0);
});

test('Ctrl-C writes a checkpoint and exits 130; --resume finishes the run', async () => {
  const out = join(work, 'runs', 'interrupted');
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'pretrain', ...SMALL, '--epochs', '4', '--out', out], { cwd: root });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/step [1-9]\d*\/16/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /checkpoint saved/);
  assert.ok(existsSync(join(out, 'checkpoint.bin')));
  assert.ok(!existsSync(join(out, 'encoder')), 'an interrupted run has no final encoder yet');
  const r = cli(['pretrain', '--out', out, '--resume']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resuming/);
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step);
  assert.deepEqual(
    steps,
    Array.from({ length: 16 }, (_, i) => i + 1),
  );
  assert.ok(existsSync(join(out, 'encoder', 'model.json')));
});
