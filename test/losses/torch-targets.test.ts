/**
 * The target functions added for issue 17 against PyTorch: test/fixtures/losses/torch-targets.json
 * (made by make_torch_targets.py beside it) holds random inputs, the PyTorch loss and its gradients;
 * values and gradients must agree to a relative 2e-3, as in torch-reference.test.ts.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { multiPositiveNtXentLoss } from '../../src/losses/multi-positive-nt-xent.js';
import { decoupledContrastiveLoss } from '../../src/losses/decoupled-contrastive.js';
import { alignUniformLoss } from '../../src/losses/align-uniform.js';
import { minedTripletLoss } from '../../src/losses/mined-triplet.js';
import { useBackend } from '../support/tensors.js';
import { assertMatchesTorch, readTorchFixture, type TorchCase } from '../support/torch-fixture.js';

before(() => useBackend());

const fixture = { cases: readTorchFixture('torch-targets.json') };

function lossFn(c: TorchCase): (...xs: tf.Tensor[]) => tf.Scalar {
  const o = c.options as never;
  switch (c.loss) {
    case 'multiPositiveNtXent':
      return (...vs) => multiPositiveNtXentLoss(vs as tf.Tensor2D[], o);
    case 'dcl':
      return (z1, z2) => decoupledContrastiveLoss(z1 as tf.Tensor2D, z2 as tf.Tensor2D, o);
    case 'alignUniform':
      return (z1, z2) => alignUniformLoss(z1 as tf.Tensor2D, z2 as tf.Tensor2D, o);
    case 'minedTriplet':
      return (a, p) => minedTripletLoss(a as tf.Tensor2D, p as tf.Tensor2D, o);
    default:
      throw new Error(`unknown loss ${c.loss} in the fixture`);
  }
}

test('torch targets: the fixture covers every new target and both mining rules', () => {
  assert.deepEqual([...new Set(fixture.cases.map((c) => c.loss))].sort(), ['alignUniform', 'dcl', 'minedTriplet', 'multiPositiveNtXent']);
  assert.ok(fixture.cases.some((c) => c.options.mining === 'hardest'));
  assert.ok(fixture.cases.some((c) => c.options.mining === 'semi-hard'));
});

for (const c of fixture.cases) {
  test(`torch targets: ${c.loss} ${c.name}`, () => {
    assertMatchesTorch(c, lossFn(c));
  });
}
