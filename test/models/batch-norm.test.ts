import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import {
  batchNormalization,
  batchNormTraining,
  hasFusedBatchNormKernel,
  BATCH_NORM_TRAIN_KERNEL,
  BATCH_NORM_TRAIN_GRAD_KERNEL,
} from '../../src/models/batch-norm.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { nativeStatus } from '../../src/node/native/addon.js';
import { registerNativeBackend } from '../../src/node/native/native-backend.js';
import { nativeCalls } from '../../src/node/native/kernel-utils.js';
import { assertClose, randn, reloadFromMemory } from '../support/tensors.js';
import { skipUnless } from '../support/prerequisites.js';

// Every comparison runs on cpu (the tf-ops path) and on native (the kernels); without the addon the
// native ones skip, saying so (a failure under CONTRASTIVE_REQUIRE_NATIVE=1).
const nativeSkip = skipUnless('native', nativeStatus().loaded ? false : `native addon not available: ${nativeStatus().reason}`);
const backends = ['cpu', 'native'];
const skipOn = (backend: string): string | false => (backend === 'native' ? nativeSkip : false);
before(async () => {
  if (nativeSkip === false) registerNativeBackend();
  await tf.setBackend('cpu');
});

type Layer = ReturnType<typeof tf.layers.batchNormalization>;
const tensor = (shape: number[], seed: number, scale = 1, shift = 0) =>
  tf.tensor(
    randn(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ).map((v) => v * scale + shift),
    shape,
  );

/** Builds `layer` for `shape` and gives it seeded gamma, beta and moving statistics. */
function setUp(layer: Layer, shape: number[]): void {
  layer.build(shape);
  layer.setWeights(
    layer.weights.map((w, i) => {
      const t = tensor(w.shape as number[], 100 + i, 0.5, 1); // gamma ~ 1, moving variance > 0
      return w.name.endsWith('variance') ? tf.abs(t) : t;
    }),
  );
}

/** Frees a layer's variables (Layer.dispose() refuses layers never applied to a symbolic input). */
const drop = (...layers: Layer[]) => layers.forEach((l) => l.weights.forEach((w) => w.dispose()));

interface Outcome {
  y: Float32Array;
  dx: Float32Array;
  dParams: Float32Array[];
  moving: Float32Array[];
}

/**
 * Three training-mode calls of `layer` on x: y; dx and the gradients of its trainable weights, of
 * sum(y * w); then its moving statistics (updated three times).
 */
function train(layer: Layer, x: tf.Tensor): Outcome {
  return tf.tidy(() => {
    const w = tensor(x.shape, 7);
    const f = (xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, w)) as tf.Scalar;
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const dx = tf.grad(f)(x);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const dParams =
      vars.length === 0 ? (f(x), []) : Object.values(tf.variableGrads(() => f(x), vars).grads).map((g) => g.dataSync() as Float32Array);
    return {
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dParams,
      moving: layer.nonTrainableWeights.map((v) => v.read().dataSync() as Float32Array),
    };
  });
}

function assertSame(got: Outcome, want: Outcome, what: string, tol = 2e-4): void {
  const close = (a: Float32Array, b: Float32Array, name: string) => {
    const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    assertClose(a, b, tol, tol * scale, `${what} ${name}`);
  };
  close(got.y, want.y, 'y');
  close(got.dx, want.dx, 'dx');
  assert.equal(got.dParams.length, want.dParams.length);
  got.dParams.forEach((g, i) => close(g, want.dParams[i]!, `d${['gamma', 'beta'][i]}`));
  got.moving.forEach((m, i) => close(m, want.moving[i]!, ['moving mean', 'moving variance'][i]!));
}

const cases: { shape: number[]; args: Parameters<typeof batchNormalization>[0] }[] = [
  { shape: [2, 5, 3, 7], args: { momentum: 0.9, epsilon: 1e-5 } }, // rank 4, odd sizes, batch 2
  { shape: [1, 3, 5, 4], args: {} }, // rank 4, batch 1 (statistics over the spatial positions)
  { shape: [5, 9], args: { momentum: 0.5 } }, // rank 2, odd
  { shape: [2, 3], args: { epsilon: 0.01 } }, // rank 2, batch 2
  { shape: [1, 6], args: {} }, // rank 2, batch 1: variance 0
  { shape: [3, 4, 5], args: {} }, // rank 3
];

for (const backend of backends) {
  test(
    `batchNormalization on ${backend}: forward, gradients and moving statistics equal tf.layers.batchNormalization`,
    { skip: skipOn(backend) },
    async () => {
      await tf.setBackend(backend);
      const calls = [BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL].map((k) => nativeCalls[k] ?? 0);
      for (const { shape, args } of cases) {
        const ours = batchNormalization(args),
          ref = tf.layers.batchNormalization(args);
        setUp(ours, shape);
        setUp(ref, shape);
        const x = tensor(shape, 3, 2, 5); // mean 5, sd 2 per channel
        const before = tf.memory().numTensors;
        const got = train(ours, x);
        assert.equal(tf.memory().numTensors, before, `${backend} ${JSON.stringify(shape)}: leaked`);
        assertSame(got, train(ref, x), `${backend} ${JSON.stringify(shape)}`);
        tf.dispose([x]);
        drop(ours, ref);
      }
      if (backend === 'native') {
        assert.ok(hasFusedBatchNormKernel());
        [BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL].forEach((k, i) =>
          assert.ok((nativeCalls[k] ?? 0) > calls[i]!, `${k} did not run`),
        );
      } else assert.equal(hasFusedBatchNormKernel(), false);
      await tf.setBackend('cpu');
    },
  );

  test(
    `batchNormalization on ${backend}: center/scale off equal moments + batchNorm without offset/scale`,
    { skip: skipOn(backend) },
    async () => {
      await tf.setBackend(backend);
      for (const [center, scale] of [
        [false, true],
        [true, false],
        [false, false],
      ] as const) {
        const shape = [3, 2, 2, 5];
        const ours = batchNormalization({ center, scale, momentum: 0.8 });
        setUp(ours, shape);
        assert.equal(ours.trainableWeights.length, Number(center) + Number(scale));
        const x = tensor(shape, 4, 3, -2);
        const before = tf.memory().numTensors;
        const got = train(ours, x);
        assert.equal(tf.memory().numTensors, before, 'leaked');
        // Reference: tfjs-layers' math (it crashes in training mode without gamma or beta).
        const want = tf.tidy(() => {
          const w = tensor(shape, 7);
          const [gamma, beta] = [scale ? ours.getWeights()[0]! : undefined, center ? ours.getWeights()[scale ? 1 : 0]! : undefined];
          const fwd = (xi: tf.Tensor, g?: tf.Tensor, b?: tf.Tensor) => {
            // written out: tfjs-core's batchNorm gradient fails without a scale
            const { mean, variance } = tf.moments(xi, [0, 1, 2]);
            const xhat = tf.mul(tf.sub(xi, mean), tf.rsqrt(tf.add(variance, 1e-3)));
            const scaled = g === undefined ? xhat : tf.mul(xhat, g);
            return b === undefined ? scaled : tf.add(scaled, b);
          };
          const loss = (xi: tf.Tensor, g?: tf.Tensor, b?: tf.Tensor) => tf.sum(tf.mul(fwd(xi, g, b), w));
          const dx = tf.grad((xi: tf.Tensor) => loss(xi, gamma, beta))(x);
          const dParams: Float32Array[] = [];
          if (scale)
            dParams.push(
              tf
                .grad((g: tf.Tensor) => loss(x, g, beta))(gamma!)
                .dataSync() as Float32Array,
            );
          if (center)
            dParams.push(
              tf
                .grad((b: tf.Tensor) => loss(x, gamma, b))(beta!)
                .dataSync() as Float32Array,
            );
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          const [mm, mv] = ours.getWeights().slice(-2);
          // the setUp values, updated three times with the same batch: old*0.8^3 + batch*(1 - 0.8^3)
          const move = (old: tf.Tensor, v: tf.Tensor) => tf.add(tf.mul(old, 0.512), tf.mul(v, 0.488));
          return {
            y: fwd(x, gamma, beta).dataSync() as Float32Array,
            dx: dx.dataSync() as Float32Array,
            dParams,
            moving: [
              move(tensor(mm!.shape, 100 + Number(center) + Number(scale), 0.5, 1), mean).dataSync() as Float32Array,
              move(tf.abs(tensor(mv!.shape, 101 + Number(center) + Number(scale), 0.5, 1)), variance).dataSync() as Float32Array,
            ],
          };
        });
        assertSame(got, want, `${backend} center ${center} scale ${scale}`, 1e-3);
        x.dispose();
        drop(ours);
      }
      await tf.setBackend('cpu');
    },
  );

  test(
    `batchNormalization on ${backend}: inference uses the moving statistics, as tf.layers.batchNormalization`,
    { skip: skipOn(backend) },
    async () => {
      await tf.setBackend(backend);
      const ours = batchNormalization({ epsilon: 1e-5 }),
        ref = tf.layers.batchNormalization({ epsilon: 1e-5 });
      setUp(ours, [4, 6]);
      setUp(ref, [4, 6]);
      const x = tensor([4, 6], 5);
      const before = tf.memory().numTensors;
      const a = ours.apply(x) as tf.Tensor,
        b = ref.apply(x) as tf.Tensor;
      assertClose(a.dataSync(), b.dataSync(), 1e-6, 1e-6, 'inference');
      const moving = ours
        .getWeights()
        .slice(2)
        .map((t) => t.dataSync());
      ref
        .getWeights()
        .slice(2)
        .forEach((t, i) => assert.deepEqual(moving[i], t.dataSync(), 'inference must not move the statistics'));
      tf.dispose([a, b]);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([x]);
      drop(ours, ref);
      await tf.setBackend('cpu');
    },
  );

  test(`batchNormTraining on ${backend}: the gradient through the returned mean and variance`, { skip: skipOn(backend) }, async () => {
    await tf.setBackend(backend);
    const x = tensor([3, 4, 5], 8, 2, 1),
      g = tensor([5], 9),
      b = tensor([5], 10);
    const w = tensor([3, 4, 5], 11),
      wm = tensor([5], 12),
      wv = tensor([5], 13);
    const loss = (y: tf.Tensor, m: tf.Tensor, v: tf.Tensor) =>
      tf.addN([tf.sum(tf.mul(y, w)), tf.sum(tf.mul(m, wm)), tf.sum(tf.mul(v, wv))]) as tf.Scalar;
    const got = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const r = batchNormTraining(xi, gi as tf.Tensor1D, bi as tf.Tensor1D);
      return loss(r.y, r.mean, r.variance);
    })([x, g, b]);
    // native: the gradient flows through the mean and variance as through tf.moments; cpu (the
    // tf-ops path) returns them as constants (documented), so they add nothing to the gradient of y
    const want = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      if (backend === 'cpu') return tf.sum(tf.mul(batchNormTraining(xi, gi as tf.Tensor1D, bi as tf.Tensor1D).y, w));
      const { mean, variance } = tf.moments(xi, [0, 1]);
      return loss(tf.batchNorm(xi, mean, variance, bi as tf.Tensor1D, gi as tf.Tensor1D), mean, variance);
    })([x, g, b]);
    got.forEach((t, i) => assertClose(t.dataSync(), want[i]!.dataSync(), 1e-3, 1e-3, `gradient ${i}`));
    tf.dispose([x, g, b, w, wm, wv, ...got, ...want]);
    await tf.setBackend('cpu');
  });
}

test('batchNormalization serialises as tfjs-layers BatchNormalization and loads with plain tf.loadLayersModel', async () => {
  await tf.setBackend('cpu');
  const input = tf.input({ shape: [3, 3, 2] });
  const conv = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
    .apply(input);
  const out = batchNormalization({ momentum: 0.9, epsilon: 1e-5, center: false, name: 'bn' }).apply(conv) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const layer = model.getLayer('bn');
  assert.equal(layer.getClassName(), 'BatchNormalization');
  assert.deepEqual(
    layer.getConfig(),
    tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, center: false, name: 'bn' }).getConfig(),
  );
  assert.deepEqual(
    layer.weights.map((w) => w.originalName),
    ['bn/gamma', 'bn/moving_mean', 'bn/moving_variance'],
  );
  const x = tensor([2, 3, 3, 2], 14);
  tf.tidy(() => {
    model.apply(x, { training: true });
  }); // move the statistics away from their initial values
  const loaded = await reloadFromMemory(model);
  const plain = loaded.getLayer('bn');
  assert.equal(
    Object.getPrototypeOf(plain).constructor,
    Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor,
    'loads as the plain tfjs-layers class',
  );
  const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
  assert.deepEqual(a.dataSync(), b.dataSync());
  tf.dispose([a, b, x]);
  model.dispose();
  loaded.dispose();
});

test('batchNormTraining and batchNormalization reject bad input with typed errors, leaking nothing', async () => {
  await tf.setBackend('cpu');
  const [x, rank1, ints, g4, b2] = [
    tf.zeros([2, 3]),
    tf.zeros([3]),
    tf.zeros([2, 3], 'int32'),
    tf.ones([4]) as tf.Tensor1D,
    tf.ones([2]) as tf.Tensor1D,
  ];
  const before = tf.memory().numTensors;
  assert.throws(() => batchNormTraining(rank1, null, null), ShapeError);
  assert.throws(() => batchNormTraining(x, g4, null), /batchNormTraining: `gamma` must have shape \[3\]/);
  assert.throws(() => batchNormTraining(x, null, b2), ShapeError);
  assert.throws(() => batchNormTraining(ints, null, null), /batchNormTraining: `x`/);
  assert.throws(() => batchNormTraining(x, null, null, 0), /batchNormTraining: `epsilon`/);
  assert.throws(() => batchNormalization({ momentum: 2 }), ConfigError);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, rank1, ints, g4, b2]);
});
