/**
 * Every loss against PyTorch: test/fixtures/losses/torch-reference.json holds random inputs, the
 * PyTorch loss and its gradients w.r.t. every input (made by make_torch_reference.py beside it;
 * this test needs only the JSON). Values and gradients must agree to a relative 2e-3.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { ntXentLoss } from '../../src/losses/nt-xent.js';
import { infoNceLoss } from '../../src/losses/info-nce.js';
import { tripletMarginLoss } from '../../src/losses/triplet.js';
import { alignmentLoss } from '../../src/losses/alignment.js';
import { uniformityLoss } from '../../src/losses/uniformity.js';
import { nceLoss } from '../../src/losses/nce.js';
import { useBackend } from '../support/tensors.js';
import { assertMatchesTorch, readTorchFixture, type TorchCase } from '../support/torch-fixture.js';

before(() => useBackend());

const fixture = { cases: readTorchFixture('torch-reference.json') };

/** The library's loss for a case, as a function of the inputs in the fixture's key order. */
function lossFn(c: TorchCase): (...xs: tf.Tensor[]) => tf.Scalar {
  const o = c.options as never;
  switch (c.loss) {
    case 'ntXent':
      return (z1, z2) => ntXentLoss(z1 as tf.Tensor2D, z2 as tf.Tensor2D, o);
    case 'infoNce':
      return (q, p, n) => infoNceLoss(q as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D | tf.Tensor3D, o);
    case 'triplet':
      return (a, p, n) => tripletMarginLoss(a as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D, o);
    case 'alignment':
      return (x, y) => alignmentLoss(x as tf.Tensor2D, y as tf.Tensor2D, o);
    case 'uniformity':
      return (x) => uniformityLoss(x as tf.Tensor2D, o);
    case 'nce':
      return (dataScores, noiseScores, dataLogNoise, noiseLogNoise) =>
        nceLoss({
          dataScores: dataScores as tf.Tensor1D,
          noiseScores: noiseScores as tf.Tensor2D,
          dataLogNoise: dataLogNoise as tf.Tensor1D,
          noiseLogNoise: noiseLogNoise as tf.Tensor2D,
        });
    default:
      throw new Error(`unknown loss ${c.loss} in the fixture`);
  }
}

test('torch reference: the fixture covers every loss and both layouts/modes', () => {
  const kinds = new Set(fixture.cases.map((c) => c.loss));
  assert.deepEqual([...kinds].sort(), ['alignment', 'infoNce', 'nce', 'ntXent', 'triplet', 'uniformity']);
  assert.ok(fixture.cases.some((c) => c.loss === 'infoNce' && c.name.includes('[N,K,D]')));
  assert.ok(fixture.cases.some((c) => c.loss === 'infoNce' && c.name.includes('[K,D]')));
  assert.ok(fixture.cases.some((c) => c.loss === 'triplet' && c.options.squared === false));
  assert.ok(fixture.cases.some((c) => c.loss === 'triplet' && c.options.squared === true));
});

for (const c of fixture.cases) {
  test(`torch reference: ${c.loss} ${c.name}`, () => {
    assertMatchesTorch(c, lossFn(c));
  });
}
