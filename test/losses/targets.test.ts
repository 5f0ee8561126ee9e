import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { makeTarget, lossesFor, LOSSES, LOSS_SPECS } from '../../src/losses/targets.js';
import { ntXentLoss } from '../../src/losses/nt-xent.js';
import { infoNceLoss } from '../../src/losses/info-nce.js';
import { crossViewInfoNceLoss } from '../../src/losses/cross-view-info-nce.js';
import { multiPositiveNtXentLoss } from '../../src/losses/multi-positive-nt-xent.js';
import { ConfigError } from '../../src/errors.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

test('makeTarget: each target is its loss function in the uniform signature; batch vs queue infonce', () => {
  const z1 = tf.tensor2d(randn(20, 1), [5, 4]);
  const z2 = tf.tensor2d(randn(20, 2), [5, 4]);
  const z3 = tf.tensor2d(randn(20, 3), [5, 4]);
  const queue = tf.tensor2d(randn(28, 4), [7, 4]);
  const rng = new Rng(0);
  assertClose(value(makeTarget('ntxent', 'batch')({ views: [z1, z2], rng })), value(ntXentLoss(z1, z2, { temperature: 0.5 })), 1e-6);
  assertClose(
    value(makeTarget('ntxent', 'batch', { temperature: 0.3 })({ views: [z1, z2, z3], rng })),
    value(multiPositiveNtXentLoss([z1, z2, z3], { temperature: 0.3 })),
    1e-6,
  );
  assertClose(
    value(makeTarget('infonce', 'batch')({ views: [z1, z2], rng })),
    value(crossViewInfoNceLoss(z1, z2, { temperature: 0.2 })),
    1e-6,
  );
  assertClose(
    value(makeTarget('infonce', 'queue')({ views: [z1, z2], negatives: queue, rng })),
    value(infoNceLoss(z1, z2, queue, { temperature: 0.2 })),
    1e-6,
  );
  for (const loss of ['dcl', 'triplet', 'align-uniform', 'invaspread'] as const) {
    const before = tf.memory().numTensors;
    assert.ok(Number.isFinite(value(makeTarget(loss, 'batch')({ views: [z1, z2], rng }))), loss);
    assert.equal(tf.memory().numTensors, before, `${loss} leaked`);
    assert.throws(() => makeTarget(loss, 'batch')({ views: [z1, z2, z3], rng }), ConfigError, `${loss} takes 2 views`);
  }
  tf.dispose([z1, z2, z3, queue]);
});

test('makeTarget: a source the loss does not take, a bank loss, or an unknown loss is a ConfigError; the registry is consistent', () => {
  assert.throws(
    () => makeTarget('ntxent', 'queue'),
    (e: unknown) => e instanceof ConfigError && /batch/.test(e.message),
  );
  assert.throws(
    () => makeTarget('nce', 'bank'),
    (e: unknown) => e instanceof ConfigError && /npid/.test(e.message),
  );
  assert.throws(() => makeTarget('nope' as never, 'batch'), ConfigError);
  assert.deepEqual(lossesFor('queue'), ['infonce']);
  assert.deepEqual(lossesFor('bank'), ['nce', 'softmax']);
  for (const l of LOSSES) assert.ok(LOSS_SPECS[l].negatives.length > 0);
  assert.equal(LOSS_SPECS.ntxent.temperature, 0.5);
});
