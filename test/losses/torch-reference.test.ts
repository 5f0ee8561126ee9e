/**
 * Every loss against PyTorch: test/fixtures/losses/torch-reference.json holds random inputs, the
 * PyTorch loss and its gradients w.r.t. every input (made by make_torch_reference.py beside it;
 * this test needs only the JSON). Values and gradients must agree to a relative 2e-3.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '../../src/tf.js';
import { ntXentLoss } from '../../src/losses/nt-xent.js';
import { infoNceLoss } from '../../src/losses/info-nce.js';
import { tripletMarginLoss } from '../../src/losses/triplet.js';
import { alignmentLoss } from '../../src/losses/alignment.js';
import { uniformityLoss } from '../../src/losses/uniformity.js';
import { nceLoss } from '../../src/losses/nce.js';
import { assertClose, useBackend } from '../support/tensors.js';

before(() => useBackend());

type Nested = number | Nested[];
interface Case {
  loss: string;
  name: string;
  options: Record<string, number | boolean>;
  inputs: Record<string, Nested>;
  value: number;
  grads: Record<string, Nested>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/losses/torch-reference.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

/** The library's loss for a case, as a function of the inputs in the fixture's key order. */
function lossFn(c: Case): (...xs: tf.Tensor[]) => tf.Scalar {
  const o = c.options as never;
  switch (c.loss) {
    case 'ntXent': return (z1, z2) => ntXentLoss(z1 as tf.Tensor2D, z2 as tf.Tensor2D, o);
    case 'infoNce': return (q, p, n) => infoNceLoss(q as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D | tf.Tensor3D, o);
    case 'triplet': return (a, p, n) => tripletMarginLoss(a as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D, o);
    case 'alignment': return (x, y) => alignmentLoss(x as tf.Tensor2D, y as tf.Tensor2D, o);
    case 'uniformity': return (x) => uniformityLoss(x as tf.Tensor2D, o);
    case 'nce': return (dataScores, noiseScores, dataLogNoise, noiseLogNoise) =>
      nceLoss({ dataScores: dataScores as tf.Tensor1D, noiseScores: noiseScores as tf.Tensor2D, dataLogNoise: dataLogNoise as tf.Tensor1D, noiseLogNoise: noiseLogNoise as tf.Tensor2D });
    default: throw new Error(`unknown loss ${c.loss} in the fixture`);
  }
}

const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

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
    const names = Object.keys(c.inputs);
    const inputs = names.map((k) => tf.tensor(c.inputs[k] as number[]));
    const before = tf.memory().numTensors;
    const f = lossFn(c);
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    const got = value.dataSync()[0]!;
    const gotGrads = grads.map((g) => g.dataSync());
    tf.dispose([value, ...grads]);
    assert.equal(tf.memory().numTensors, before, 'leaked tensors');
    tf.dispose(inputs);
    assertClose(got, c.value, 2e-3, 1e-6, `${c.loss} value`);
    names.forEach((k, i) => {
      const expected = flat(c.grads[k]!);
      // rtol 2e-3 per entry; entries near zero get an absolute floor of 1e-4 of the largest entry.
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(gotGrads[i]!, expected, 2e-3, 1e-4 * scale + 1e-7, `${c.loss} d/d${k}`);
    });
  });
}
