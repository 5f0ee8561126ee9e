import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { AUGMENTATION_PRESETS, buildAugmentation } from '../../src/augment/build-augmentation.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../support/tensors.js';

before(() => useBackend());

test('buildAugmentation: every preset a recipe may name keeps the batch shape', () => {
  const inputs: Record<string, number[]> = {
    'small-grey': [4, 12, 12, 1],
    'small-grey-jitter': [4, 12, 12, 1],
    'simclr-cifar': [4, 12, 12, 3],
    'simclr-imagenet': [4, 12, 12, 3],
    cmc: [4, 12, 12, 3],
    'vector-corruption': [4, 7],
    sequence: [4, 16, 2],
  };
  assert.deepEqual(Object.keys(inputs).sort(), [...AUGMENTATION_PRESETS].sort());
  for (const name of AUGMENTATION_PRESETS) {
    const shape = inputs[name]!;
    const aug = buildAugmentation({ augmentation: name, inputShape: shape.slice(1), flip: true });
    const x = tf.randomUniform(shape, 0, 1, 'float32', 1);
    const y = aug(x, new Rng(0));
    assert.deepEqual(y.shape, shape, name);
    assert.ok(Array.from(y.dataSync()).every(Number.isFinite), name);
    tf.dispose([x, y]);
  }
});

test('buildAugmentation: an unknown preset is a ConfigError listing the known ones', () => {
  assert.throws(
    () => buildAugmentation({ augmentation: 'mixup', inputShape: [8, 8, 1], flip: false }),
    (e: unknown) =>
      e instanceof ConfigError && /buildAugmentation: `augmentation` must be one of small-grey, .*sequence, got 'mixup'/.test(e.message),
  );
});
