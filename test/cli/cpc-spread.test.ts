/**
 * `pretrain --method cpc` on a small UCR file: the run measures its representation's spread
 * (embedding std, effective rank) at epoch ends and prints it, and the kNN monitor says its
 * held-out slice is too small instead of printing a figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../support/image-collection.js';

test('pretrain --method cpc on UCR series: spread signals per epoch, the monitor too small to report', () => {
  const work = tempDir('contrastive-cpc-');
  const file = join(work, 'Waves_TRAIN.tsv');
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) {
    const label = i % 2;
    const f = label === 0 ? 0.15 : 0.4;
    const values = Array.from({ length: 64 }, (_, t) => Math.sin(f * t + i * 0.37).toFixed(4));
    lines.push([label, ...values].join('\t'));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const run = join(work, 'run');
  const p = cli(['pretrain', '--method', 'cpc', '--data', `ucr:${file}`, '--epochs', '2', '--batch-size', '54', '--out', run]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /12 held out for the kNN monitor/);
  assert.match(p.stderr, /monitor slice too small \(12 held out, \d+ queries; needs 20\): no kNN figure/);
  assert.match(p.stderr, /embedding std \d\.\d{4}, effective rank \d+\.\d/);
  const epochs = readFileSync(join(run, 'epochs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(epochs.length, 2);
  for (const e of epochs) {
    assert.equal(e.knn, undefined);
    assert.ok(e.embeddingStd > 0 && e.embeddingStd < 1, JSON.stringify(e));
    assert.ok(e.effectiveRank >= 1 && e.effectiveRank <= 128, JSON.stringify(e));
  }
});
