import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { buildEncoder, buildMethod, checkArch, defaultArch, defaultAugmentation, type Recipe } from '../../src/recipes/recipe.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

test('defaults by data: grey and colour images get the small CNN and their presets, vectors the MLP', () => {
  assert.equal(defaultArch({ kind: 'image', sampleShape: [28, 28, 1] }), 'small-cnn');
  assert.equal(defaultArch({ kind: 'vector', sampleShape: [64] }), 'mlp');
  assert.throws(() => defaultArch({ kind: 'sequence', sampleShape: [100, 1] }), /cpc/);
  assert.equal(defaultAugmentation('image', [28, 28, 1]), 'small-grey-jitter');
  assert.equal(defaultAugmentation('image', [32, 32, 3]), 'simclr-cifar');
  assert.equal(defaultAugmentation('image', [96, 96, 3]), 'simclr-imagenet');
  assert.equal(defaultAugmentation('vector', [10]), 'vector-corruption');
  assert.throws(() => defaultAugmentation('image', [8, 8, 4]), ConfigError);
  assert.throws(() => checkArch({ arch: 'mlp', inputShape: [8, 8, 1], kind: 'image' }), /--arch/);
  assert.throws(() => checkArch({ arch: 'small-cnn', inputShape: [64], kind: 'vector' }), /takes images/);
});

test('buildMethod: a SimCLR step runs for grey images, colour images and vectors', async () => {
  const cases: [Recipe, number[]][] = [
    [
      {
        method: 'simclr',
        arch: 'small-cnn',
        inputShape: [8, 8, 1],
        kind: 'image',
        width: 8,
        augmentation: 'small-grey-jitter',
        flip: true,
        temperature: 0.5,
        projectionDim: 16,
        seed: 0,
      },
      [4, 8, 8, 1],
    ],
    [
      {
        method: 'simclr',
        arch: 'small-cnn',
        inputShape: [8, 8, 3],
        kind: 'image',
        width: 8,
        augmentation: 'simclr-cifar',
        flip: true,
        temperature: 0.5,
        projectionDim: 16,
        seed: 0,
      },
      [4, 8, 8, 3],
    ],
    [
      {
        method: 'simclr',
        arch: 'mlp',
        inputShape: [6],
        kind: 'vector',
        width: 8,
        augmentation: 'vector-corruption',
        flip: true,
        temperature: 0.5,
        projectionDim: 16,
        seed: 0,
      },
      [4, 6],
    ],
  ];
  for (const [recipe, shape] of cases) {
    const m = buildMethod({ recipe, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 1e-6, clipNorm: 0 } });
    const x = tf.randomUniform(shape, 0, 1, 'float32', 1);
    const r = await m.trainStep({ x, indices: new Int32Array(4) }, new Rng(0));
    assert.ok(Number.isFinite(r.loss), `${recipe.augmentation}: loss ${r.loss}`);
    const h = m.embed(x);
    assert.equal(h.shape[0], 4);
    tf.dispose([x, h]);
    m.dispose();
  }
});

test('buildEncoder: small-cnn has BatchNorm when the recipe says so; recipes from before the field keep none', () => {
  const base = { arch: 'small-cnn' as const, inputShape: [28, 28, 1], width: 64, kind: 'image' as const };
  const bns = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
  const withBn = buildEncoder({ ...base, encoderBatchNorm: true }, 0);
  const old = buildEncoder(base, 0);
  assert.equal(bns(withBn), 3);
  assert.equal(bns(old), 0);
  withBn.dispose();
  old.dispose();
});

test('buildEncoder: featureBatchNorm puts a BatchNorm on h of small-cnn and resnet18; recipes from before the field have none', () => {
  const last = (m: tf.LayersModel) => m.layers.at(-1)!.getClassName();
  for (const arch of ['small-cnn', 'resnet18'] as const) {
    const base = { arch, inputShape: [16, 16, 3], width: 4, kind: 'image' as const, encoderBatchNorm: true };
    const neck = buildEncoder({ ...base, featureBatchNorm: true }, 0);
    const old = buildEncoder(base, 0);
    assert.equal(last(neck), 'BatchNormalization', arch);
    assert.equal(last(old), 'GlobalAveragePooling2D', arch);
    neck.dispose();
    old.dispose();
  }
});
