import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/tf.js';
import { loadLayersModelArch, readLayersModelFile, writeLayersModelTopology } from '../../../src/node/run/layers-model-file.js';
import { saveModel } from '../../../src/node/run/model-io.js';
import { ConfigError, DataError } from '../../../src/errors.js';
import { useBackend } from '../../support/tensors.js';

before(() => useBackend());

const work = mkdtempSync(join(tmpdir(), 'contrastive-arch-'));

/** 8x8 digits as vectors of 64: reshape, conv2d, BatchNorm, pooled to [N, 4]. */
const digitsModel = (): tf.LayersModel =>
  tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.globalAveragePooling2d({}),
    ],
  });

test('readLayersModelFile: a missing file, a file that is not JSON, JSON that is no topology and a graph model are ConfigErrors naming --arch', async () => {
  const rejects = (p: string, re: RegExp) =>
    assert.rejects(readLayersModelFile(p), (e: Error) => e instanceof ConfigError && /--arch/.test(e.message) && re.test(e.message));
  await rejects(join(work, 'nope.json'), /does not exist/);
  writeFileSync(join(work, 'text.json'), 'not json {');
  await rejects(join(work, 'text.json'), /is not JSON/);
  writeFileSync(join(work, 'list.json'), '[1, 2]');
  await rejects(join(work, 'list.json'), /no JSON object/);
  writeFileSync(join(work, 'other.json'), '{"name": "a package.json"}');
  await rejects(join(work, 'other.json'), /no modelTopology/);
  writeFileSync(
    join(work, 'bad-topology.json'),
    JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'NoSuchLayer', config: {} }] } } }),
  );
  await rejects(join(work, 'bad-topology.json'), /not a tfjs LayersModel topology: layer 0: unknown class/);
  writeFileSync(join(work, 'graph.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] } }));
  await rejects(join(work, 'graph.json'), /graph model/);
});

test('loadLayersModelArch: with weights starts from them; a topology alone has none; the run copy rebuilds the same shapes; no tensor leaks', async () => {
  const m = digitsModel();
  await saveModel(m, join(work, 'with-weights'));
  const before = tf.memory().numTensors;
  const file = await readLayersModelFile(join(work, 'with-weights', 'model.json'));
  assert.equal(file.hasWeights, true);
  const arch = await loadLayersModelArch(file);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(arch.inputShape, [64]);
  assert.deepEqual(arch.outputShapes, [[null, 4]]);
  assert.equal(arch.weights!.length, m.weights.length);
  assert.deepEqual(Array.from(arch.weights![0]!.values), Array.from(m.weights[0]!.read().dataSync()));

  // the run folder's copy: the topology without weights
  const copy = join(work, 'arch.json');
  await writeLayersModelTopology(copy, file);
  assert.deepEqual(JSON.parse(readFileSync(copy, 'utf8')).weightsManifest, []);
  const again = await loadLayersModelArch(await readLayersModelFile(copy), 'original.json');
  assert.equal(again.weights, undefined);
  assert.equal(again.source, 'original.json');
  assert.deepEqual(again.outputShapes, arch.outputShapes);
  assert.deepEqual(again.config, arch.config);

  // model.toJSON()'s bare topology is accepted too
  writeFileSync(join(work, 'bare.json'), JSON.stringify(m.toJSON(null, false)));
  const bare = await readLayersModelFile(join(work, 'bare.json'));
  assert.equal(bare.hasWeights, false);
  assert.deepEqual((await loadLayersModelArch(bare)).inputShape, [64]);
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});

test('loadLayersModelArch: weights that do not fit the topology are a DataError and leak nothing', async () => {
  const m = digitsModel();
  await saveModel(m, join(work, 'short'));
  m.dispose();
  const path = join(work, 'short', 'model.json');
  writeFileSync(join(work, 'short', 'weights.bin'), new Uint8Array(12));
  const before = tf.memory().numTensors;
  await assert.rejects(async () => loadLayersModelArch(await readLayersModelFile(path)), DataError);
  assert.equal(tf.memory().numTensors, before);
});
