/**
 * Kill and resume: `contrastive pretrain` runs as a child process, is killed with SIGKILL in the
 * middle of its second epoch (after the first epoch's checkpoint), restarted with `--resume`, and
 * compared with an uninterrupted run of the same seed. On the `cpu` and `wasm` backends the
 * per-step metrics (loss, learning rate, every method metric), the final checkpoint (weights,
 * optimizer slots, generator state) and the saved encoder must be bit-identical: that needs the
 * data order, the augmentation randomness and the optimizer state all restored. On the `native`
 * backend (oneDNN, OpenBLAS) the same run must end within 1e-5: the metrics and every tensor of
 * the final checkpoint; it skips when the addon is not built, and fails then under
 * CONTRASTIVE_REQUIRE_NATIVE=1 (CI builds it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint } from '../../src/node/run/checkpoint-file.js';
import { loadAddon, nativeStatus } from '../../src/node/native/addon.js';
import * as tf from '../../src/tf.js';
import { assertClose } from '../support/tensors.js';
import { skipUnless } from '../support/prerequisites.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'contrastive-kill-'));

// all 1,797 digits, 20 held out for the monitor: 1,777 / 16 -> 111 steps per epoch, 2 epochs. The
// trainer appends metrics.jsonl every 50 steps and at each checkpoint, so during epoch 2 the file
// first grows at step 161, 61 steps before the run ends: room to kill it there even where a step
// takes 1 ms (with 23 steps per epoch the file grew only at the epoch-2 checkpoint itself, and a
// fast backend wrote that checkpoint before the kill landed)
const ARGS = [
  'pretrain',
  '--data',
  'digits',
  '--limit',
  '1797',
  '--monitor',
  '20',
  '--batch-size',
  '16',
  '--epochs',
  '2',
  '--seed',
  '11',
  '--no-report',
];
const STEPS_PER_EPOCH = 111;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const env = (backend: string): NodeJS.ProcessEnv => ({ ...process.env, CONTRASTIVE_BACKEND: backend });

function runToEnd(backend: string, args: string[]): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
    env: env(backend),
  });
  assert.equal(r.status, 0, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
}

/** Lines in a run's metrics.jsonl so far (one per finished step). */
function stepsLogged(out: string): number {
  const p = join(out, 'metrics.jsonl');
  return existsSync(p)
    ? readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '').length
    : 0;
}

/**
 * Starts a run, waits for the first epoch's checkpoint and then for a few steps of the second
 * epoch to be logged, and SIGKILLs it there (progress-driven, not timed: a fast machine would
 * otherwise finish the epoch before a timer fires).
 */
async function startAndKill(backend: string, out: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...ARGS, '--out', out], {
    cwd: root,
    env: env(backend),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const ckpt = join(out, 'checkpoint.bin');
  const deadline = Date.now() + 240_000;
  while (!existsSync(ckpt)) {
    if (child.exitCode !== null) assert.fail(`the run ended before its first checkpoint:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`no checkpoint after 240 s:\n${stderr}`);
    }
    await sleep(20);
  }
  while (stepsLogged(out) < STEPS_PER_EPOCH + 3) {
    if (child.exitCode !== null) assert.fail(`the run ended before it could be killed in epoch 2:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`epoch 2 did not start within 240 s:\n${stderr}`);
    }
    await sleep(2);
  }
  assert.equal(child.exitCode, null, 'the run finished before it could be killed');
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  // killed mid-epoch 2: the checkpoint on disk is still epoch 1's, whole and readable
  const c = decodeCheckpoint(readFileSync(ckpt), ckpt);
  tf.dispose(Object.values(c.state.tensors));
  assert.equal(c.step, STEPS_PER_EPOCH, `the kill landed after step ${c.step}'s checkpoint, not in epoch 2`);
  assert.equal(c.stepInEpoch, 0);
  assert.ok(!existsSync(join(out, 'encoder')), 'a killed run has no final encoder');
}

/** metrics.jsonl without the wall-clock fields. */
function metrics(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { samplesPerSec: _s, elapsed: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

for (const backend of ['cpu', 'wasm']) {
  test(`SIGKILL mid-epoch, then --resume, equals the uninterrupted run bit for bit (${backend})`, async () => {
    const whole = join(work, `${backend}-whole`);
    const killed = join(work, `${backend}-killed`);
    runToEnd(backend, [...ARGS, '--out', whole]);
    await startAndKill(backend, killed);
    runToEnd(backend, ['pretrain', '--out', killed, '--resume']);

    const a = metrics(whole);
    const b = metrics(killed);
    assert.equal(a.length, 2 * STEPS_PER_EPOCH);
    assert.deepEqual(
      b.map((r) => r.step),
      a.map((r) => r.step),
      'the resumed run logs every step once',
    );
    // the steps after the checkpoint were recomputed by the resumed process: identical values
    assert.deepEqual(b.slice(STEPS_PER_EPOCH), a.slice(STEPS_PER_EPOCH));
    assert.deepEqual(b, a);
    // final checkpoint: weights, optimizer slots, generator state and counters, byte for byte
    assert.ok(
      Buffer.compare(readFileSync(join(killed, 'checkpoint.bin')), readFileSync(join(whole, 'checkpoint.bin'))) === 0,
      'final checkpoints differ',
    );
    assert.ok(
      Buffer.compare(readFileSync(join(killed, 'encoder', 'weights.bin')), readFileSync(join(whole, 'encoder', 'weights.bin'))) === 0,
      'encoder weights differ',
    );
  });
}

/** Every tensor of a run's final checkpoint, by name, and its counters. */
function finalCheckpoint(dir: string): { counters: number[]; tensors: Map<string, Float32Array | Int32Array> } {
  const c = decodeCheckpoint(readFileSync(join(dir, 'checkpoint.bin')));
  const tensors = new Map(Object.entries(c.state.tensors).map(([k, t]) => [k, t.dataSync() as Float32Array | Int32Array]));
  tf.dispose(Object.values(c.state.tensors));
  return { counters: [c.epoch, c.stepInEpoch, c.step, ...c.rng, ...c.epochRng], tensors };
}

const nativeSkip = skipUnless('native', loadAddon() !== undefined ? false : `native addon not available: ${nativeStatus().reason}`);

test('SIGKILL mid-epoch, then --resume, ends within 1e-5 of the uninterrupted run (native)', { skip: nativeSkip }, async () => {
  const whole = join(work, 'native-whole');
  const killed = join(work, 'native-killed');
  runToEnd('native', [...ARGS, '--out', whole]);
  await startAndKill('native', killed);
  runToEnd('native', ['pretrain', '--out', killed, '--resume']);

  const a = metrics(whole);
  const b = metrics(killed);
  assert.equal(a.length, 2 * STEPS_PER_EPOCH);
  assert.deepEqual(
    b.map((r) => r.step),
    a.map((r) => r.step),
    'the resumed run logs every step once',
  );
  for (const [i, r] of a.entries()) {
    assert.deepEqual(Object.keys(b[i]!).sort(), Object.keys(r).sort(), `step ${String(r.step)}: the same metrics`);
    for (const [k, v] of Object.entries(r)) assertClose(b[i]![k] as number, v as number, 1e-5, 1e-5, `step ${String(r.step)} ${k}`);
  }
  const [x, y] = [finalCheckpoint(whole), finalCheckpoint(killed)];
  assert.deepEqual(y.counters, x.counters, 'final epoch, step and generator state');
  assert.deepEqual([...y.tensors.keys()].sort(), [...x.tensors.keys()].sort());
  for (const [k, v] of x.tensors) assertClose(y.tensors.get(k)!, v, 1e-5, 1e-5, `final checkpoint ${k}`);
});
