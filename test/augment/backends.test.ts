/**
 * The same Rng state gives the same views on every backend: the presets run on cpu (the
 * reference) and on wasm from one JS input and one seed, and must agree to float rounding.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { initBackend } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import type { Augmentation } from '../../src/augment/augmentation.js';
import { gaussianBlur } from '../../src/augment/gaussian-blur.js';
import { toLab } from '../../src/augment/lab.js';
import { sequence, simclrCifar, smallGrey } from '../../src/augment/presets.js';
import { assertClose, rng as mulberry, useBackend } from '../support/tensors.js';

after(() => useBackend());

function outputOn(backend: 'cpu' | 'wasm', aug: Augmentation, values: Float32Array, shape: number[]): Float32Array {
  const x = tf.tensor(values, shape);
  const y = aug(x, new Rng(99));
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  assert.equal(tf.getBackend(), backend);
  return Float32Array.from(out);
}

const cases: [string, () => Augmentation, number[]][] = [
  ['simclrCifar', () => simclrCifar(16), [6, 20, 20, 3]],
  ['smallGrey', () => smallGrey(12), [6, 14, 14, 1]],
  ['gaussianBlur', () => gaussianBlur({ probability: 0.7, kernelSize: 5 }), [4, 12, 12, 3]],
  ['gaussianBlur (wide, depthwise)', () => gaussianBlur({ probability: 0.7, kernelSize: 5 }), [2, 6, 50, 3]],
  ['toLab', () => toLab(), [2, 5, 5, 3]],
  ['sequence', () => sequence(), [5, 40, 2]],
];

for (const [name, make, shape] of cases) {
  test(`${name}: cpu and wasm give the same output for the same seed`, async () => {
    const r = mulberry(3);
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r());
    await initBackend('cpu');
    const onCpu = outputOn('cpu', make(), values, shape);
    await initBackend('wasm');
    const onWasm = outputOn('wasm', make(), values, shape);
    assertClose(onWasm, onCpu, 1e-4, 1e-4, `${name} on wasm vs cpu`);
  });
}
