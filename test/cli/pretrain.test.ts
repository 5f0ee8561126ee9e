/**
 * `pretrain` options end to end on the bundled digits: `--arch <model.json>` (a user's tfjs
 * LayersModel as the encoder; eval, embed and resume on its run without the original file) and
 * `--minutes` (steps sized from a measured step).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../src/tf.js';
import { saveModel } from '../../src/node/run/model-io.js';
import { ResizableWarmupCosine } from '../../src/train/schedules.js';
import { useBackend } from '../support/tensors.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'contrastive-pretrain-'));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI and sends it SIGINT (Ctrl-C) once its stderr matches `when`. */
function interruptWhen(args: string[], when: RegExp): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stderr });
    });
  });
}

/** stderr without tfjs's one-time banner. */
const errLines = (s: string): string[] =>
  s.split('\n').filter((l) => l.trim() !== '' && !/^(=+|Hi, looks like you are running TensorFlow\.js)/.test(l));

const SMALL = ['--data', 'digits', '--limit', '300', '--batch-size', '64', '--monitor', '0', '--no-report'];

before(async () => {
  await useBackend();
  // the digits are vectors of 64 pixels: the model reshapes them to 8x8x1 images itself
  const digits = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
  await saveModel(digits, join(work, 'digits-cnn'));
  digits.dispose();
  const images = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3 }), tf.layers.flatten()] });
  await saveModel(images, join(work, 'image-cnn'));
  images.dispose();
  const unpooled = tf.sequential({
    layers: [tf.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }), tf.layers.conv2d({ filters: 4, kernelSize: 3 })],
  });
  await saveModel(unpooled, join(work, 'unpooled'));
  unpooled.dispose();
});

test('pretrain --arch model.json: 2 steps from its weights; eval, embed, index and resume work on the run without the file', () => {
  const out = join(work, 'runs', 'arch');
  const file = join(work, 'digits-cnn', 'model.json');
  const p = cli(['pretrain', ...SMALL, '--steps', '2', '--arch', file, '--out', out]);
  assert.equal(p.status, 0, p.stderr);
  for (const f of ['arch.json', 'encoder/model.json', 'encoder-random/model.json', 'checkpoint.bin'])
    assert.ok(existsSync(join(out, f)), `${f} missing`);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.recipe.arch, 'layers-model');
  assert.deepEqual(config.recipe.layersModel, { source: file, weights: true, file: 'arch.json' });
  assert.equal(config.result.steps, 2);
  // the run started from the file's weights: encoder-random holds them byte for byte
  assert.deepEqual(readFileSync(join(out, 'encoder-random', 'weights.bin')), readFileSync(join(work, 'digits-cnn', 'weights.bin')));
  assert.notDeepEqual(readFileSync(join(out, 'encoder', 'weights.bin')), readFileSync(join(work, 'digits-cnn', 'weights.bin')));

  renameSync(join(work, 'digits-cnn'), join(work, 'digits-cnn-moved')); // the run must not need the user's file any more
  const e = cli(['eval', '--run', out, '--limit', '300', '--test-limit', '100', '--pairs', '50', '--json']);
  assert.equal(e.status, 0, e.stderr);
  const r = JSON.parse(e.stdout.trim());
  for (const v of [...Object.values(r.linear), ...Object.values(r.knn)] as number[]) assert.ok(v >= 0 && v <= 1);
  const emb = cli(['embed', '--run', out, '--limit', '40', '--out', join(work, 'h.npy'), '--json']);
  assert.equal(emb.status, 0, emb.stderr);
  assert.deepEqual(JSON.parse(emb.stdout.trim()).shape, [40, 8]);
  const idx = cli(['index', '--run', out, '--db', join(work, 'db')]);
  assert.equal(idx.status, 0, idx.stderr);
  assert.match(idx.stderr + idx.stdout, /1797\/1797 embedded/);
  const res = cli(['pretrain', '--out', out, '--resume']);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stderr, /resuming .* at step 2/);
});

test('pretrain --arch: a wrong input shape, an unpooled output, a missing file and a file that is not JSON exit 2 with one line', () => {
  const cases: [string, RegExp][] = [
    [join(work, 'image-cnn', 'model.json'), /reads samples of shape \[8, 8, 1\], the data's samples are \[64\]/],
    [join(work, 'unpooled', 'model.json'), /outputs \[any, 6, 6, 4\].*GlobalAveragePooling2D or a Flatten/],
    [join(work, 'none.json'), /none\.json does not exist/],
  ];
  writeFileSync(join(work, 'broken.json'), '{"modelTopology": ');
  cases.push([join(work, 'broken.json'), /broken\.json is not JSON/]);
  for (const [file, re] of cases) {
    const out = join(work, 'runs', 'refused');
    const p = cli(['pretrain', ...SMALL, '--steps', '1', '--arch', file, '--out', out]);
    assert.equal(p.status, 2, p.stderr);
    const lines = errLines(p.stderr);
    assert.equal(lines.length, 1, p.stderr);
    assert.match(lines[0]!, /--arch/);
    assert.match(lines[0]!, re);
    assert.equal(existsSync(out), false, 'a refused run leaves no folder');
  }
  const bad = cli(['pretrain', ...SMALL, '--arch', 'vgg', '--out', join(work, 'runs', 'x')]);
  assert.equal(bad.status, 2);
  assert.match(errLines(bad.stderr)[0]!, /small-cnn, resnet18, mlp, conv1d-gru or the path of a tfjs LayersModel model\.json/);
});

test("pretrain --minutes, stopped by Ctrl-C after a re-size: --resume trains to the re-sized steps on the first start's schedule", async () => {
  const out = join(work, 'runs', 'minutes-resume');
  const first = await interruptWhen(['pretrain', ...SMALL, '--minutes', '0.1', '--out', out], /budget: at step \d+ the run's steps take/);
  assert.equal(first.status, 130, first.stderr);
  const budget = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).budget;
  assert.ok(budget.resizes.length >= 1 && budget.resizes[0].step === budget.warmupSteps, JSON.stringify(budget));
  const again = cli(['pretrain', '--resume', '--out', out, '--no-report']);
  assert.equal(again.status, 0, again.stderr);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(config.budget.resizes, budget.resizes, 'a resumed run does not re-size');
  const total = budget.resizes.at(-1).totalSteps;
  assert.equal(config.result.steps, total);
  const lrs = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { lr: number }).lr);
  assert.equal(lrs.length, total);
  const schedule = new ResizableWarmupCosine({
    baseLr: config.optimizer.learningRate,
    totalSteps: budget.steps,
    warmupSteps: budget.warmupSteps,
  });
  for (const r of budget.resizes) schedule.resize(r.step, r.totalSteps);
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - schedule.lr(i)) < 1e-12, `step ${i + 1}: lr ${lr}, the schedule's ${schedule.lr(i)}`));
});

test("pretrain --minutes 0.05: steps sized from a measured step, re-sized from the run's pace after the warm-up and later, all in config.json, the schedule ends with them; --minutes with --steps or --epochs exits 2 naming both", () => {
  const out = join(work, 'runs', 'minutes');
  const p = cli(['pretrain', ...SMALL, '--minutes', '0.05', '--out', out]);
  assert.equal(p.status, 0, p.stderr);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.options.minutes, 0.05);
  assert.ok(config.budget.stepSeconds > 0);
  assert.equal(config.budget.steps, Math.max(1, Math.floor(3 / config.budget.stepSeconds)));
  assert.equal(config.budget.warmupSteps, Math.round(config.budget.steps * 0.1));
  // this model's step takes milliseconds: the sizing gives a warm-up long enough to time
  assert.ok(config.budget.warmupSteps >= 4, `warm-up ${config.budget.warmupSteps} steps`);
  // every re-size is in config.json and on stderr; the first at the end of the warm-up (the
  // measured step and the run's pace differ), the later ones at a quarter, half and three quarters
  const resizes = config.budget.resizes as { step: number; totalSteps: number; stepSeconds: number }[];
  assert.ok(resizes.length >= 1 && resizes.length <= 4, JSON.stringify(resizes));
  assert.equal(resizes[0]!.step, config.budget.warmupSteps);
  for (const r of resizes) {
    assert.ok(r.stepSeconds > 0 && r.totalSteps > r.step, JSON.stringify(r));
    assert.match(p.stderr, new RegExp(`budget: at step ${r.step} the run's steps take [0-9.]+ s here -> ${r.totalSteps} steps in all`));
  }
  const total = resizes.at(-1)!.totalSteps;
  assert.equal(config.result.steps, total);
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(steps.length, total);
  if (steps.length >= 4)
    assert.ok(steps.at(-1).lr < 0.5 * Math.max(...steps.map((s: { lr: number }) => s.lr)), 'the cosine schedule decays over the sized run');
  for (const flag of ['--steps', '--epochs']) {
    const c = cli(['pretrain', ...SMALL, '--minutes', '1', flag, '3', '--out', join(work, 'runs', 'conflict')]);
    assert.equal(c.status, 2, c.stderr);
    const lines = errLines(c.stderr);
    assert.equal(lines.length, 1, c.stderr);
    assert.match(lines[0]!, new RegExp(`--minutes.*conflicts with ${flag}`));
  }
});
