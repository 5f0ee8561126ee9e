/**
 * `pretrain --arch model.json` on sequences: a user's recurrent encoder (a tfjs-layers LSTM over
 * [T, 1] series) trains with SimCLR and the sequence augmentation on a small UCR file, and the run
 * evaluates; clips of varying lengths are cropped/padded to the median; without --arch, and with
 * CMC, sequences are refused with one line naming the way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../src/tf.js';
import { saveModel } from '../../src/node/run/model-io.js';
import { encodeWav } from '../../src/data/wav.js';
import { cli, tempDir } from '../support/image-collection.js';

/** A UCR-format file of two classes of noisy sinusoids, 64 steps each. */
function waves(file: string, n: number, seed: number): void {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const f = label === 0 ? 0.15 : 0.4;
    lines.push([label, ...Array.from({ length: 64 }, (_, t) => Math.sin(f * t + (i + seed) * 0.37).toFixed(4))].join('\t'));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

test('pretrain --arch: a user LSTM encoder trains SimCLR on UCR series; eval runs; cmc and no --arch refuse sequences in one line', async () => {
  const work = tempDir('contrastive-seq-arch-');
  waves(join(work, 'Waves_TRAIN.tsv'), 80, 0);
  waves(join(work, 'Waves_TEST.tsv'), 40, 1000);
  const lstm = tf.sequential({ layers: [tf.layers.lstm({ units: 8, inputShape: [64, 1], recurrentInitializer: 'glorotUniform' })] });
  await saveModel(lstm, join(work, 'lstm'));
  lstm.dispose();
  const file = join(work, 'lstm', 'model.json');
  const data = `ucr:${join(work, 'Waves_TRAIN.tsv')}`;
  const run = join(work, 'run');
  const p = cli([
    'pretrain',
    '--method',
    'simclr',
    '--data',
    data,
    '--arch',
    file,
    '--steps',
    '4',
    '--batch-size',
    '32',
    '--monitor',
    '0',
    '--no-report',
    '--out',
    run,
  ]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /augmentation sequence/);
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as {
    recipe: { arch: string; kind: string };
    result: { steps: number };
  };
  assert.equal(config.recipe.arch, 'layers-model');
  assert.equal(config.recipe.kind, 'sequence');
  assert.equal(config.result.steps, 4);
  const e = cli(['eval', '--run', run, '--json']);
  assert.equal(e.status, 0, e.stderr);
  const report = JSON.parse(e.stdout) as { linear: Record<string, number>; knn: Record<string, number> };
  for (const v of [...Object.values(report.linear), ...Object.values(report.knn)]) assert.ok(v >= 0 && v <= 1, `accuracy ${v}`);

  for (const [args, want] of [
    [['--method', 'cmc', '--arch', file], /cmc's views are channels of images/],
    [['--method', 'simclr'], /--method cpc, or give your own encoder \(--arch/],
  ] as const) {
    const r = cli(['pretrain', ...args, '--data', data, '--steps', '1', '--out', join(work, 'refused')]);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('contrastive'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, want);
  }
});

test('pretrain --arch on WAV clips of varying lengths: cropped/padded to the median (said), or to --length; a model of another length says --length', async () => {
  const work = tempDir('contrastive-seq-wav-');
  const dir = join(work, 'clips');
  mkdirSync(dir);
  // {digit}_{speaker}_{index}.wav, FSDD's pattern: 2 classes, 30 clips of 90 to 148 samples, the 25 of the train split (index >= 5) 100 to 148
  for (let i = 0; i < 30; i++) {
    const label = i % 2;
    const n = 90 + 2 * i;
    const s = Float32Array.from({ length: n }, (_, t) => 0.5 * Math.sin((label === 0 ? 0.2 : 0.6) * t + i));
    writeFileSync(join(dir, `${label}_spk_${i}.wav`), encodeWav(s, 8000));
  }
  const lstm = tf.sequential({
    layers: [tf.layers.gru({ units: 6, inputShape: [null as unknown as number, 1], recurrentInitializer: 'glorotUniform' })],
  });
  await saveModel(lstm, join(work, 'gru'));
  lstm.dispose();
  const fixed = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [50, 1], recurrentInitializer: 'glorotUniform' })] });
  await saveModel(fixed, join(work, 'lstm50'));
  fixed.dispose();
  const common = [
    'pretrain',
    '--method',
    'simclr',
    '--data',
    `wav:${dir}`,
    '--steps',
    '2',
    '--batch-size',
    '8',
    '--monitor',
    '0',
    '--no-report',
  ];
  const median = cli([...common, '--arch', join(work, 'gru', 'model.json'), '--out', join(work, 'median')]);
  assert.equal(median.status, 0, median.stderr);
  assert.match(median.stderr, /sequences vary in length \(100\.\.148 steps\): cropping\/padding every one to the median, 124/);
  const cfg = JSON.parse(readFileSync(join(work, 'median', 'config.json'), 'utf8')) as { recipe: { inputShape: number[] } };
  assert.deepEqual(cfg.recipe.inputShape, [124, 1]);
  const e = cli(['eval', '--run', join(work, 'median'), '--json']);
  assert.equal(e.status, 0, e.stderr);

  const wrong = cli([...common, '--arch', join(work, 'lstm50', 'model.json'), '--out', join(work, 'wrong')]);
  assert.equal(wrong.status, 2, wrong.stderr);
  assert.match(
    wrong.stderr,
    /reads samples of shape \[50, 1\], the data's samples are \[124, 1\] \(sequences: crop\/pad them to 50 steps with --length 50\)/,
  );
  const right = cli([...common, '--arch', join(work, 'lstm50', 'model.json'), '--length', '50', '--out', join(work, 'right')]);
  assert.equal(right.status, 0, right.stderr);
});
