import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import { nativeStatus, loadAddon } from '../../../src/node/native/addon.js';
import { ShapeError } from '../../../src/errors.js';
import { initBackend } from '../../../src/backend.js';
import { convNet } from '../../../src/models/conv-net.js';
import { resnet } from '../../../src/models/resnet.js';
import { projectionHead } from '../../../src/models/projection-head.js';
import { ntXentLoss } from '../../../src/losses/nt-xent.js';
import { assertClose, randn } from '../../support/tensors.js';
import { skip } from './harness.js';

test('nativeStatus says whether the addon loaded, and why not', () => {
  const s = nativeStatus();
  assert.equal(typeof s.loaded, 'boolean');
  if (s.loaded) {
    // the AVX2 + FMA build when it was built (x86-64) and this CPU has both, else the baseline build
    assert.match(s.path!, /contrastive_native(_avx2)?\.node$/);
    const avx2Build = s.path!.replace(/contrastive_native(_avx2)?\.node$/, 'contrastive_native_avx2.node');
    const wantAvx2 = process.env.CONTRASTIVE_NATIVE_ADDON === undefined && existsSync(avx2Build) && loadAddon()!.cpuSupports('avx2') && loadAddon()!.cpuSupports('fma');
    assert.equal(s.path, wantAvx2 ? avx2Build : s.path!.replace(/_avx2\.node$/, '.node'));
  }
  else assert.ok(s.reason !== undefined && s.reason.length > 0, 'a reason when not loaded');
});

test('a C++ exception and a too-short buffer become JS errors, not crashes', { skip }, () => {
  const addon = loadAddon()!;
  assert.throws(() => addon.throwTest(), /test exception from C\+\+/);
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => addon.gemm(f(5), f(6), f(4), 1, 1, 2, 2, 3, false, false, null, 0, 0), /gemm a has 5 elements, needs 6/);
  assert.throws(() => addon.conv2d(f(16), f(8), f(16), [1, 4, 4, 1, 3, 3, 1, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1], null, 0, 0), /conv2d w has 8 elements, needs 9/);
  assert.throws(() => addon.conv2d(f(16), f(9), f(16), [1, 4, 4, 1, 3, 3, 1, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1], null, 0, 0), /inconsistent/);
  assert.throws(() => addon.maxPool(f(16), f(3), [1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0]), /pool y has 3 elements, needs 4/);
  assert.throws(() => addon.binary(0, f(3), f(3), f(4), [4], [1], [1]), /binary a has 3 elements, needs 4/);
  assert.throws(() => addon.reduce(9, f(3), f(1), 1, 3, 1), /unknown op/);
  assert.throws(() => addon.unary(0, f(3), f(3), -1, 0), /non-negative integer/);
  assert.throws(() => addon.gemm(f(4), f(4), f(4), 1, 1, 2, 2, 2, false, false, f(3), 0, 0), /bias must have 1 or N/);
});

test('native kernels reject inconsistent shapes with a ShapeError before calling the addon', { skip }, async () => {
  await initBackend('native');
  const dy = tf.zeros([1, 3, 3, 2]);
  const w = tf.zeros([3, 3, 1, 2]);
  assert.throws(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { inputShape: [1, 5, 5, 1], strides: 1, pad: 'same', dataFormat: 'NHWC' }),
    (e: unknown) => e instanceof ShapeError && /Conv2DBackpropInput/.test(e.message));
  tf.dispose([dy, w]);
  await initBackend('cpu');
});

test('reused output buffers never change values read out before dispose', { skip }, async () => {
  await initBackend('native');
  const x = tf.tensor(randn(64 * 1024, 1), [64, 1024]);
  const y = tf.relu(x);
  const kept = y.dataSync();
  const copy = Float32Array.from(kept);
  y.dispose();
  for (let i = 0; i < 5; i++) tf.tidy(() => tf.relu(tf.neg(x)).dataSync()); // same sizes: would reuse y's buffer
  assert.deepEqual(kept, copy);
  // A slice (a view of its parent's buffer in the cpu backend) outlives its parent.
  const parent = tf.exp(x);
  const part = tf.slice(parent, [0, 0], [32, 1024]);
  const want = Float32Array.from(part.dataSync());
  parent.dispose();
  for (let i = 0; i < 5; i++) tf.tidy(() => tf.exp(tf.neg(x)).dataSync());
  assert.deepEqual(part.dataSync(), want);
  tf.dispose([x, part]);
  await initBackend('cpu');
});

test('initBackend() prefers native over wasm and cpu when tfjs-node is absent', { skip }, async () => {
  const info = await initBackend();
  if (info.name !== 'tensorflow') assert.equal(info.name, 'native');
  assert.ok(info.threads >= 1);
  await initBackend('cpu');
});

/**
 * Three SimCLR steps (NT-Xent + Adam) on `backend` from the given initial weights (the models'
 * initialisers are not reproducible across constructions); returns the losses and the weights.
 */
async function simclrSteps(backend: 'cpu' | 'native', arch: 'small' | 'resnet', init?: Float32Array[]): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await initBackend(backend);
  const shape: [number, number, number] = arch === 'small' ? [12, 12, 1] : [8, 8, 3];
  const encoder = arch === 'small' ? convNet({ inputShape: shape, widths: [4, 8, 8] })
    : resnet({ inputShape: shape, stemWidth: 4, widths: [4, 8, 8], blocksPerStage: [1, 1, 1] });
  const head = projectionHead({ inputDim: 8, hiddenDim: 8, outputDim: 4 });
  const all = [...encoder.weights, ...head.weights];
  if (init !== undefined) all.forEach((w, i) => w.write(tf.tensor(init[i]!, w.shape as number[])));
  const weights = all.map((w) => Float32Array.from(w.read().dataSync()));
  const views = tf.tensor(randn(6 * shape[0] * shape[1] * shape[2], 7), [6, ...shape]);
  const opt = tf.train.adam(1e-2);
  const loss = () => {
    const z = head.apply(encoder.apply(views, { training: true }) as tf.Tensor, { training: true }) as tf.Tensor2D;
    const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    return ntXentLoss(z1, z2, { temperature: 0.5 });
  };
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const l = opt.minimize(loss, true)!;
    losses.push(l.dataSync()[0]!);
    l.dispose();
  }
  views.dispose();
  opt.dispose();
  return { losses, weights };
}

test('both models train on native as on cpu (three SimCLR steps, same losses)', { skip }, async () => {
  for (const arch of ['small', 'resnet'] as const) {
    const want = await simclrSteps('cpu', arch);
    const got = await simclrSteps('native', arch, want.weights);
    assertClose(got.losses, want.losses, 1e-3, 1e-4, `${arch} losses`);
    assert.ok(got.losses[2]! < got.losses[0]!, `${arch}: loss went down (${got.losses.join(', ')})`);
  }
  await initBackend('cpu');
});
