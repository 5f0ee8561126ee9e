import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/tf.js';
import { ArrayDataset } from '../../../src/data/array-dataset.js';
import { seededSample } from '../../../src/data/seeded-sample.js';
import { convNet } from '../../../src/models/conv-net.js';
import { embedDataset } from '../../../src/eval/dataset-features.js';
import { fitWhitening, withoutWhitening, FEATURE_WHITENING_LAYER } from '../../../src/models/feature-whitening.js';
import { saveEncoder } from '../../../src/node/run/save-encoder.js';
import { loadModel } from '../../../src/node/run/model-io.js';
import type { Recipe } from '../../../src/recipes/recipe.js';
import { useBackend, assertClose, randn } from '../../support/tensors.js';

before(() => useBackend());

const recipe = (featureWhitening?: Recipe['featureWhitening']): Recipe => ({
  method: 'simclr',
  arch: 'small-cnn',
  inputShape: [8, 8, 1],
  kind: 'image',
  width: 8,
  augmentation: 'small-grey',
  flip: false,
  temperature: 0.5,
  projectionDim: 16,
  seed: 3,
  featureBatchNorm: true,
  ...(featureWhitening !== undefined ? { featureWhitening } : {}),
});

const images = (n: number): ArrayDataset =>
  new ArrayDataset({ name: 'noise', kind: 'image', sampleShape: [8, 8, 1], values: randn(n * 64, 11).map((v) => Math.abs(v)) });

test("saveEncoder: the saved encoder whitens h as fitted on the data's seeded sample; without whitening it saves the encoder as it is", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-save-encoder-'));
  const encoder = convNet({ inputShape: [8, 8, 1], widths: [4, 6], featureBatchNorm: true });
  const data = images(60);
  try {
    const before = tf.memory().numTensors;
    await saveEncoder(encoder, join(dir, 'w'), recipe({ shrinkage: 0.5, samples: 40 }), data);
    await saveEncoder(encoder, join(dir, 'plain'), recipe(), data);
    assert.equal(tf.memory().numTensors, before, 'saving leaks nothing');

    const whitened = await loadModel(join(dir, 'w'));
    const plain = await loadModel(join(dir, 'plain'));
    assert.equal(whitened.layers.at(-1)!.name, FEATURE_WHITENING_LAYER);
    assert.notEqual(plain.layers.at(-1)!.name, FEATURE_WHITENING_LAYER);
    // the same h before the whitening, and the whitening is the one fitted on 40 of the 60 samples
    const h = await embedDataset(encoder, data);
    assertClose((await embedDataset(withoutWhitening(whitened), data)).data, h.data, 1e-5, 1e-6, 'h before the whitening');
    assertClose((await embedDataset(plain, data)).data, h.data, 1e-5, 1e-6, 'plain h');
    const fitted = await fitWhitening(await embedDataset(encoder, seededSample(data, 40, 3)), { shrinkage: 0.5 });
    const x = tf.tensor2d(h.data, [60, h.dim]);
    const expected = tf.tidy(() => tf.matMul(tf.sub(x, tf.tensor1d(fitted.mean)), tf.tensor2d(fitted.matrix, [h.dim, h.dim])));
    assertClose((await embedDataset(whitened, data)).data, await expected.data(), 1e-4, 1e-5, 'whitened h');
    tf.dispose([x, expected]);
    whitened.dispose();
    plain.dispose();
  } finally {
    encoder.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
