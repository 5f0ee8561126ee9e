import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/tf.js';
import { RunFolder } from '../../../src/node/run/run-folder.js';
import { writeFileAtomic } from '../../../src/node/run/atomic-write.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/node/run/checkpoint-file.js';
import { saveModel, loadModel } from '../../../src/node/run/model-io.js';
import { mlp } from '../../../src/models/mlp.js';
import { DataError } from '../../../src/errors.js';
import type { Checkpoint } from '../../../src/train/trainer.js';
import { useBackend, randn } from '../../support/tensors.js';
import { makeReadOnly } from '../../support/read-only.js';

before(() => useBackend());

const tmp = () => mkdtemp(join(tmpdir(), 'contrastive-run-'));

function sample(): Checkpoint {
  return {
    epoch: 2,
    stepInEpoch: 3,
    step: 17,
    rng: [1, 2, 3, 4294967295],
    epochRng: [5, 6, 7, 8],
    state: {
      tensors: {
        'model/encoder/0': tf.tensor2d([
          [1.5, -2],
          [3, 4],
        ]),
        'extra/idx': tf.tensor1d([7, 8, 9], 'int32'),
      },
      meta: { optimizer: { name: 'adam', step: 17 } },
    },
  };
}

test('checkpoint file: round trip, exact values', async () => {
  const c = sample();
  const back = decodeCheckpoint(await encodeCheckpoint(c));
  assert.deepEqual({ ...back, state: undefined }, { ...c, state: undefined });
  assert.deepEqual(back.state.meta, c.state.meta);
  assert.deepEqual(Array.from(back.state.tensors['model/encoder/0']!.dataSync()), [1.5, -2, 3, 4]);
  assert.equal(back.state.tensors['extra/idx']!.dtype, 'int32');
  tf.dispose([...Object.values(c.state.tensors), ...Object.values(back.state.tensors)]);
});

test('checkpoint file: truncated, bad magic, empty, corrupt header are DataErrors and leak nothing', async () => {
  const c = sample();
  const bytes = await encodeCheckpoint(c);
  tf.dispose(Object.values(c.state.tensors));
  const before = tf.memory().numTensors;
  assert.throws(
    () => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'x.bin'),
    (e: Error) => e instanceof DataError && /truncated/.test(e.message),
  );
  assert.throws(() => decodeCheckpoint(new Uint8Array(0)), DataError);
  const bad = bytes.slice();
  bad[0] = 0x41;
  assert.throws(() => decodeCheckpoint(bad), /magic/);
  const hdr = bytes.slice();
  hdr[14] = 0x7b; // break the JSON
  assert.throws(() => decodeCheckpoint(hdr), DataError);
  assert.equal(tf.memory().numTensors, before);
});

test('writeFileAtomic: replaces whole; a failed write keeps the old file and leaves no temp file', async (t) => {
  const dir = await tmp();
  const p = join(dir, 'f.bin');
  await writeFileAtomic(p, 'old');
  await writeFileAtomic(p, 'new');
  assert.equal(await readFile(p, 'utf8'), 'new');
  // a read-only folder (root included): the temp file cannot be created
  const undo = makeReadOnly(dir);
  await t.test(
    'a write into a read-only folder fails and keeps the old file',
    { skip: typeof undo === 'string' ? undo : false },
    async () => {
      try {
        await assert.rejects(
          writeFileAtomic(p, 'newer'),
          (e: Error) => e instanceof DataError && /previous version is kept/.test(e.message),
        );
      } finally {
        if (typeof undo === 'function') undo();
      }
      assert.equal(await readFile(p, 'utf8'), 'new');
    },
  );
  assert.deepEqual(await readdir(dir), ['f.bin']);
});

test('RunFolder: metrics, epochs, checkpoint, truncation after a resume point, missing files', async () => {
  const run = new RunFolder(join(await tmp(), 'runs', 'a'));
  await run.create();
  await assert.rejects(run.readConfig(), (e: Error) => e instanceof DataError && /not a run folder/.test(e.message));
  await run.writeConfig({ method: 'simclr' });
  assert.deepEqual(await run.readConfig(), { method: 'simclr' });
  const rec = (step: number) => ({ step, epoch: 1, loss: 1 / step, lr: 0.1, samplesPerSec: 10, elapsed: step });
  await run.appendMetrics([rec(1), rec(2), rec(3)]);
  await run.appendEpoch({ epoch: 1, step: 3, loss: 0.5, seconds: 1 });
  await writeFile(run.path('metrics'), (await readFile(run.path('metrics'), 'utf8')) + '{"step": 4, "lo'); // torn line
  assert.equal((await run.readMetrics()).length, 3);
  await run.truncateAfter(2, 0);
  assert.deepEqual(
    (await run.readMetrics()).map((r) => r.step),
    [1, 2],
  );
  assert.deepEqual(await run.readEpochs(), []);
  assert.equal(await run.hasCheckpoint(), false);
  await assert.rejects(run.loadCheckpoint(), /nothing to resume/);
  const c = sample();
  await run.saveCheckpoint(c);
  tf.dispose(Object.values(c.state.tensors));
  const back = await run.loadCheckpoint();
  assert.equal(back.step, 17);
  tf.dispose(Object.values(back.state.tensors));
});

test('saveModel/loadModel: TF.js model.json + weights.bin, same outputs after loading; missing weights is a DataError', async () => {
  const dir = join(await tmp(), 'encoder');
  const m = mlp({ inputDim: 6, hiddenUnits: [8, 4], seed: 3 });
  await saveModel(m, dir);
  assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  const loaded = await loadModel(dir);
  const x = tf.tensor2d(randn(12, 1), [2, 6]);
  const a = m.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  tf.dispose([x, a, b]);
  m.dispose();
  loaded.dispose();
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(8));
  await assert.rejects(loadModel(dir), (e: Error) => e instanceof DataError && /bytes/.test(e.message));
  await assert.rejects(loadModel(join(dir, 'nope')), DataError);
});
