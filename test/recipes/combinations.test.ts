/**
 * Every valid (method, loss, negatives) combination of src/recipes/pairing.ts, plus multi-crop,
 * built from a recipe as the CLI builds it: two training steps (after a first that makes the optimizer's slots) leave no tensor behind, and the
 * state round-trips exactly: a fresh method given the state after step 3 makes a step 4 with the
 * bit-identical loss and the same state afterwards (weights, optimizer slots, bank, MoCo's key
 * encoder and queue).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { buildMethod, defaultTemperatureFor, DEFAULT_TEMPERATURE, type Recipe } from '../../src/recipes/recipe.js';
import { cmcRecipe } from '../../src/recipes/cmc-recipe.js';
import { cpcRecipe } from '../../src/recipes/cpc-recipe.js';
import { validCombinations, resolvePairing } from '../../src/recipes/pairing.js';
import type { Method, MethodState } from '../../src/methods/method.js';
import { ConfigError } from '../../src/errors.js';
import { randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

const B = 8;
const BANK = 32;
const OPT = { name: 'adam' as const, learningRate: 1e-3, weightDecay: 1e-6, clipNorm: 0 };

function recipeFor(method: string, loss: string, negatives: string, crops = 0): { recipe: Recipe; shape: number[] } {
  const p = resolvePairing(method, { loss, negatives, crops });
  const base = {
    method,
    width: 8,
    flip: true,
    temperature: defaultTemperatureFor(method, p.loss) ?? DEFAULT_TEMPERATURE[method]!,
    projectionDim: 8,
    seed: 3,
    loss: p.loss,
    negativeSource: p.negatives,
    headBatchNorm: true,
  };
  if (method === 'cpc') {
    const cpc = cpcRecipe(64, {});
    return {
      recipe: { ...base, arch: 'conv1d-gru', inputShape: [64, 1], kind: 'sequence', augmentation: 'sequence', cpc },
      shape: [B, 64, 1],
    };
  }
  if (method === 'cmc') {
    const c = cmcRecipe(
      { objective: p.negatives === 'bank' ? 'nce' : 'softmax', negatives: 16 },
      { kind: 'image', sampleShape: [8, 8, 3], trainSize: BANK, arch: 'small-cnn' },
    );
    return { recipe: { ...base, arch: 'small-cnn', inputShape: [8, 8, 3], kind: 'image', ...c }, shape: [B, 8, 8, 3] };
  }
  if (crops > 0)
    return {
      recipe: { ...base, arch: 'small-cnn', inputShape: [8, 8, 1], kind: 'image', augmentation: 'small-grey', localCrops: crops },
      shape: [B, 8, 8, 1],
    };
  return {
    recipe: {
      ...base,
      arch: 'mlp',
      inputShape: [6],
      kind: 'vector',
      augmentation: 'vector-corruption',
      ...(method === 'npid' ? { bankSize: BANK, objective: p.loss as 'nce', negatives: 16, bankInit: 'random' as const } : {}),
      ...(method === 'moco' ? { queueSize: 20, keyMomentum: 0.9 } : {}),
    },
    shape: [B, 6],
  };
}

function batch(shape: number[], k: number): { x: tf.Tensor; indices: Int32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = randn(n, k + 11).map((v) => 0.5 + 0.25 * v);
  return { x: tf.tensor(values, shape), indices: Int32Array.from({ length: B }, (_, i) => (k * B + i) % BANK) };
}

async function step(m: Method, shape: number[], k: number, rng: Rng): Promise<number> {
  const { x, indices } = batch(shape, k);
  try {
    return (await m.trainStep({ x, indices }, rng)).loss;
  } finally {
    x.dispose();
  }
}

function snapshot(s: MethodState): Map<string, Float32Array | Int32Array | Uint8Array> {
  const out = new Map<string, Float32Array | Int32Array | Uint8Array>();
  for (const [k, t] of Object.entries(s.tensors)) out.set(k, t.dataSync() as Float32Array);
  return out;
}

const combos = [
  ...validCombinations().map((c) => ({ ...c, crops: 0 })),
  { method: 'simclr', loss: 'ntxent' as const, negatives: 'batch' as const, crops: 2 },
];

test("pairing: at least 12 valid combinations, each method's default first", () => {
  assert.ok(combos.length >= 12, `${combos.length} combinations`);
  for (const m of ['simclr', 'invaspread', 'moco', 'npid', 'cmc', 'cpc'])
    assert.ok(
      combos.some((c) => c.method === m),
      m,
    );
});

for (const c of combos) {
  test(`combination ${c.method} x ${c.loss} x ${c.negatives}${c.crops > 0 ? ` x ${c.crops} local crops` : ''}: two leak-free steps, exact state round trip`, async () => {
    const { recipe, shape } = recipeFor(c.method, c.loss, c.negatives, c.crops);
    const a = buildMethod({ recipe, optimizer: OPT });
    const b = buildMethod({ recipe, optimizer: OPT });
    try {
      const rng = new Rng(5);
      assert.ok(Number.isFinite(await step(a, shape, 0, rng)), 'step 1'); // creates the optimizer's slots
      const before = tf.memory().numTensors;
      for (let k = 1; k < 3; k++) {
        const loss = await step(a, shape, k, rng);
        assert.ok(Number.isFinite(loss), `step ${k + 1}: loss ${loss}`);
      }
      assert.equal(tf.memory().numTensors, before, 'two steps leaked tensors');
      const state = a.getState();
      b.setState(state);
      tf.dispose(Object.values(state.tensors));
      const rngB = Rng.fromState(rng.state());
      const lossA = await step(a, shape, 3, rng);
      const lossB = await step(b, shape, 3, rngB);
      assert.equal(lossB, lossA, 'step 4 after the round trip');
      const sa = a.getState();
      const sb = b.getState();
      const va = snapshot(sa);
      const vb = snapshot(sb);
      assert.deepEqual([...vb.keys()].sort(), [...va.keys()].sort());
      for (const [k, v] of va) assert.deepEqual(vb.get(k), v, `state ${k} after step 4`);
      assert.deepEqual(JSON.parse(JSON.stringify(sb.meta)), JSON.parse(JSON.stringify(sa.meta)));
      tf.dispose([...Object.values(sa.tensors), ...Object.values(sb.tensors)]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
}

test('resolvePairing: a combination that makes no sense is one ConfigError naming both flags and what is valid', () => {
  const bad: [string, { loss?: string; negatives?: string; crops?: number; kind?: string; queueFlag?: string }, RegExp][] = [
    ['cpc', { loss: 'nce' }, /--method.*cpc.*--loss nce.*valid for cpc: --negatives batch with --loss infonce/],
    ['simclr', { negatives: 'queue' }, /--negatives queue.*valid for simclr/],
    ['moco', { loss: 'triplet' }, /--loss triplet.*--negatives queue with --loss infonce/],
    [
      'npid',
      { loss: 'ntxent', negatives: 'batch' },
      /--loss ntxent with --negatives batch.*--negatives bank with --loss nce\|softmax\|infonce/,
    ],
    ['cmc', { crops: 2 }, /--crops/],
    ['simclr', { crops: 2, kind: 'vector' }, /--crops.*image/],
    ['simclr', { loss: 'nope' }, /--loss.*one of/],
    ['simclr', { queueFlag: '--queue-size' }, /--queue-size.*--method moco/],
  ];
  for (const [method, want, re] of bad) {
    assert.throws(
      () => resolvePairing(method, want),
      (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'),
      `${method} ${JSON.stringify(want)}`,
    );
  }
  assert.deepEqual(resolvePairing('cmc', { negatives: 'bank' }), { loss: 'nce', negatives: 'bank', crops: 0 });
  assert.deepEqual(resolvePairing('moco', {}), { loss: 'infonce', negatives: 'queue', crops: 0 });
  assert.deepEqual(resolvePairing('simclr', { loss: 'triplet' }), { loss: 'triplet', negatives: 'batch', crops: 0 });
});
