/**
 * The CLI on bad input, across every command: an unknown command or option, a missing file, a
 * value out of range. Exit code 2 and one line naming the problem, never a stack trace; with
 * `--debug` the stack is shown. Each case fails before any training starts (fast).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'contrastive-cli-errors-'));
const missing = join(work, 'nope');
// a run folder whose config is not JSON, and one whose checkpoint is garbage
const badRun = join(work, 'bad-run');
mkdirSync(badRun);
writeFileSync(join(badRun, 'config.json'), '{ not json');
const badCkpt = join(work, 'bad-ckpt');
mkdirSync(badCkpt);
writeFileSync(
  join(badCkpt, 'config.json'),
  JSON.stringify({
    options: {
      method: 'simclr',
      data: 'digits',
      split: 'train',
      batchSize: 16,
      optimizer: 'adam',
      weightDecay: 0,
      clipNorm: 0,
      seed: 0,
      width: 8,
      flip: true,
    },
    recipe: {
      method: 'simclr',
      arch: 'mlp',
      inputShape: [64],
      kind: 'vector',
      width: 8,
      augmentation: 'vector-corruption',
      flip: true,
      temperature: 0.5,
      projectionDim: 128,
      seed: 0,
    },
    optimizer: { name: 'adam', learningRate: 0.001, weightDecay: 0, clipNorm: 0 },
  }),
);
writeFileSync(join(badCkpt, 'checkpoint.bin'), 'CTRCKPT1garbage');

function cli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CONTRASTIVE_BACKEND: 'cpu' },
  });
  return { status: r.status, stderr: r.stderr };
}
const errLines = (s: string): string[] =>
  s.split('\n').filter((l) => l.trim() !== '' && !/^(=+|Hi, looks like you are running TensorFlow\.js)/.test(l));

const CASES: [string, string[], RegExp][] = [
  ['unknown command', ['trian'], /unknown command 'trian'/],
  ['unknown global option', ['--frobnicate'], /--frobnicate/],
  ['data: unknown subcommand', ['data', 'fetch'], /fetch/],
  ['data info: missing file', ['data', 'info', `csv:${missing}.csv`], /nope/],
  ['data download: unknown name', ['data', 'download', 'imagenet-99'], /imagenet-99/],
  ['pretrain: unknown option', ['pretrain', '--data', 'digits', '--out', join(work, 'r1'), '--epoch', '2'], /--epoch/],
  ['pretrain: missing data file', ['pretrain', '--data', `idx:${missing}`, '--out', join(work, 'r2')], /nope/],
  ['pretrain: value out of range', ['pretrain', '--data', 'digits', '--out', join(work, 'r3'), '--batch-size', '1'], /--batch-size/],
  ['pretrain: negative lr', ['pretrain', '--data', 'digits', '--out', join(work, 'r4'), '--lr', '-1'], /--lr/],
  [
    'pretrain: bad --on-nonfinite',
    ['pretrain', '--data', 'digits', '--out', join(work, 'r6'), '--on-nonfinite', 'ignore'],
    /--on-nonfinite/,
  ],
  ['pretrain: bad method', ['pretrain', '--method', 'byol', '--data', 'digits', '--out', join(work, 'r5')], /byol/],
  ['pretrain: resume nothing', ['pretrain', '--out', missing, '--resume'], /nothing to resume|does not exist/],
  ['pretrain: resume a corrupt checkpoint', ['pretrain', '--out', badCkpt, '--resume'], /checkpoint/],
  ['eval: missing run', ['eval', '--run', missing], /not a run folder/],
  ['eval: corrupt config', ['eval', '--run', badRun], /config\.json/],
  ['eval: value out of range', ['eval', '--run', badRun, '--limit', '0'], /--limit/],
  ['embed: missing run', ['embed', '--run', missing, '--out', join(work, 'h.npy')], /not a run folder/],
  ['embed: unknown option', ['embed', '--run', missing, '--out', join(work, 'h.npy'), '--dims', '3'], /--dims/],
  ['report: missing run', ['report', '--run', missing], /nope/],
  ['report: value out of range', ['report', '--run', missing, '--test-limit', 'x'], /--test-limit/],
  ['serve: port out of range', ['serve', '--port', '99999'], /--port|port/],
  ['serve: missing folder', ['serve', '--dir', missing, '--port', '0'], /nope/],
  ['doctor: unknown option', ['doctor', '--verbose'], /--verbose/],
];

for (const [what, args, re] of CASES) {
  test(`cli ${what}: exit 2, one line, no stack`, () => {
    const r = cli(args);
    // progress lines may come first (backend, data); the error is the one line after them
    const lines = errLines(r.stderr).filter((l) => !/^contrastive: backend |^data: |^\w+: arch /.test(l));
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.equal(lines.length, 1, `${args.join(' ')}: expected one error line, got:\n${lines.join('\n')}`);
    assert.match(lines[0]!, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('cli --debug shows the stack of the same error', () => {
  const r = cli(['--debug', 'eval', '--run', missing]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not a run folder/);
  assert.match(r.stderr, /\n\s+at /);
});
