/**
 * A checkpoint write that fails (a real full disk: a tmpfs smaller than two checkpoints, where
 * mounting one is allowed) stops training with a DataError that says the previous checkpoint is
 * kept, and that checkpoint is intact and resumable. A non-finite loss stops the run naming the
 * step, keeps the last good checkpoint and suggests a lower learning rate.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { train, type Checkpoint, type StepRecord, type TrainerStore } from '../../src/train/trainer.js';
import { RunFolder } from '../../src/node/run/run-folder.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/node/run/checkpoint-file.js';
import { ConfigError, DataError } from '../../src/errors.js';
import type { Method } from '../../src/methods/method.js';
import { randn, useBackend } from '../support/tensors.js';
import { tinyMethod } from './tiny-methods.js';

before(() => useBackend());

const data = (): ArrayDataset => new ArrayDataset({ name: 'v', kind: 'vector', sampleShape: [12], values: randn(64 * 12, 4) }); // 64 / 16 -> 4 steps per epoch

test('a checkpoint write on a full disk stops with a DataError; the previous checkpoint stays intact', async (t) => {
  // the size of a checkpoint with the optimizer's slots: one step of an identical method
  const probe = tinyMethod('simclr');
  const b = probe.batch(0);
  await probe.method.trainStep(b, new Rng(1));
  b.x.dispose();
  const s = probe.method.getState();
  const size = (await encodeCheckpoint({ epoch: 1, stepInEpoch: 0, step: 4, rng: [1, 2, 3, 4], epochRng: [1, 2, 3, 4], state: s })).length;
  tf.dispose(Object.values(s.tensors));
  probe.method.dispose();

  const dir = mkdtempSync(join(tmpdir(), 'contrastive-full-'));
  // room for one checkpoint and the metrics, not for a second copy beside it
  const bytes = Math.ceil((size * 1.5) / 4096) * 4096 + 16384;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return t.skip('cannot mount a tmpfs here (needs root); the atomic-write failure path is also tested in test/node/run');
  }
  try {
    const run = new RunFolder(dir);
    const before = tf.memory().numTensors;
    const { method } = tinyMethod('simclr');
    await assert.rejects(
      train({ method, data: data(), batchSize: 16, epochs: 3, store: run }),
      (e: Error) =>
        e instanceof DataError &&
        /checkpoint\.bin/.test(e.message) &&
        /previous version is kept/.test(e.message) &&
        /ENOSPC|no space/i.test(e.message),
    );
    method.dispose();
    assert.equal(tf.memory().numTensors, before, 'a failed checkpoint write leaks nothing');
    // the epoch-1 checkpoint is whole, and no temporary file is left behind
    const c = decodeCheckpoint(readFileSync(run.path('checkpoint')), 'checkpoint.bin');
    assert.equal(c.step, 4);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
    // and it resumes (on a disk with room)
    const { method: m2 } = tinyMethod('simclr');
    const r = await train({ method: m2, data: data(), batchSize: 16, epochs: 3, resume: c });
    assert.equal(r.steps, 12);
    tf.dispose(Object.values(c.state.tensors));
    m2.dispose();
  } finally {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

class MemoryStore implements TrainerStore {
  checkpoints: Uint8Array[] = [];
  async appendMetrics(_r: StepRecord[]): Promise<void> {}
  async saveCheckpoint(c: Checkpoint): Promise<void> {
    this.checkpoints.push(await encodeCheckpoint(c));
  }
}

test('a non-finite loss stops naming the step, keeps the last good checkpoint, suggests a lower lr', async () => {
  const { method } = tinyMethod('simclr');
  let steps = 0;
  // step 6 (epoch 2) returns NaN, as a diverged run would
  const wrapped: Method = Object.assign(Object.create(method) as Method, {
    trainStep: async (batch: Parameters<Method['trainStep']>[0], rng: Rng) => {
      const m = await method.trainStep(batch, rng);
      steps += 1;
      return steps === 6 ? { ...m, loss: NaN } : m;
    },
  });
  const store = new MemoryStore();
  await assert.rejects(
    train({ method: wrapped, data: data(), batchSize: 16, epochs: 3, store }),
    (e: Error) =>
      e instanceof ConfigError &&
      /NaN at step 6 \(epoch 2/.test(e.message) &&
      /last good checkpoint is kept/.test(e.message) &&
      /lower learning rate/.test(e.message),
  );
  assert.equal(store.checkpoints.length, 1, 'only the epoch-1 checkpoint was written');
  const c = decodeCheckpoint(store.checkpoints[0]!, 'c');
  assert.equal(c.step, 4);
  tf.dispose(Object.values(c.state.tensors));
  method.dispose();
});
