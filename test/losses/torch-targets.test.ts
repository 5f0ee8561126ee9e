/**
 * The target functions added for issue 17 against PyTorch: test/fixtures/losses/torch-targets.json
 * (made by make_torch_targets.py beside it) holds random inputs, the PyTorch loss and its gradients;
 * values and gradients must agree to a relative 2e-3, as in torch-reference.test.ts.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '../../src/tf.js';
import { multiPositiveNtXentLoss } from '../../src/losses/multi-positive-nt-xent.js';
import { decoupledContrastiveLoss } from '../../src/losses/decoupled-contrastive.js';
import { alignUniformLoss } from '../../src/losses/align-uniform.js';
import { minedTripletLoss } from '../../src/losses/mined-triplet.js';
import { assertClose, useBackend } from '../support/tensors.js';

before(() => useBackend());

type Nested = number | Nested[];
interface Case {
  loss: string;
  name: string;
  options: Record<string, number | string>;
  inputs: Record<string, Nested>;
  value: number;
  grads: Record<string, Nested>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/losses/torch-targets.json', import.meta.url), 'utf8')) as { cases: Case[] };

function lossFn(c: Case): (...xs: tf.Tensor[]) => tf.Scalar {
  const o = c.options as never;
  switch (c.loss) {
    case 'multiPositiveNtXent': return (...vs) => multiPositiveNtXentLoss(vs as tf.Tensor2D[], o);
    case 'dcl': return (z1, z2) => decoupledContrastiveLoss(z1 as tf.Tensor2D, z2 as tf.Tensor2D, o);
    case 'alignUniform': return (z1, z2) => alignUniformLoss(z1 as tf.Tensor2D, z2 as tf.Tensor2D, o);
    case 'minedTriplet': return (a, p) => minedTripletLoss(a as tf.Tensor2D, p as tf.Tensor2D, o);
    default: throw new Error(`unknown loss ${c.loss} in the fixture`);
  }
}

const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

test('torch targets: the fixture covers every new target and both mining rules', () => {
  assert.deepEqual([...new Set(fixture.cases.map((c) => c.loss))].sort(), ['alignUniform', 'dcl', 'minedTriplet', 'multiPositiveNtXent']);
  assert.ok(fixture.cases.some((c) => c.options.mining === 'hardest'));
  assert.ok(fixture.cases.some((c) => c.options.mining === 'semi-hard'));
});

for (const c of fixture.cases) {
  test(`torch targets: ${c.loss} ${c.name}`, () => {
    const names = Object.keys(c.inputs);
    const inputs = names.map((k) => tf.tensor(c.inputs[k] as number[]));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.valueAndGrads(lossFn(c))(inputs);
    const got = value.dataSync()[0]!;
    const gotGrads = grads.map((g) => g.dataSync());
    tf.dispose([value, ...grads]);
    assert.equal(tf.memory().numTensors, before, 'leaked tensors');
    tf.dispose(inputs);
    assertClose(got, c.value, 2e-3, 1e-6, `${c.loss} value`);
    names.forEach((k, i) => {
      const expected = flat(c.grads[k]!);
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(gotGrads[i]!, expected, 2e-3, 1e-4 * scale + 1e-7, `${c.loss} d/d${k}`);
    });
  });
}
