import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { Rng } from '../../src/random.js';
import { minedTripletLoss } from '../../src/losses/mined-triplet.js';
import { tripletMarginLoss } from '../../src/losses/triplet.js';
import { l2Normalize } from '../../src/ops/l2-normalize.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('minedTripletLoss random: the negative of anchor i is the positive of a j ≠ i drawn from the rng (FaceNet squared form)', () => {
  const n = 6;
  const a = tf.tensor2d(randn(n * 4, 1), [n, 4]);
  const p = tf.tensor2d(randn(n * 4, 2), [n, 4]);
  const got = tf.tidy(() => minedTripletLoss(a, p, { mining: 'random', margin: 0.3, rng: new Rng(7) }).dataSync()[0]!);
  const r = new Rng(7);
  const pick = Array.from({ length: n }, (_, i) => (i + 1 + r.int(n - 1)) % n);
  assert.ok(pick.every((j, i) => j !== i));
  const pRows = p.arraySync();
  const want = tf.tidy(() => {
    const neg = tf.tensor2d(pick.map((j) => pRows[j]!));
    return tripletMarginLoss(l2Normalize(a), l2Normalize(p), l2Normalize(neg), { margin: 0.3, squared: true }).dataSync()[0]!;
  });
  assertClose(got, want, 1e-5, 1e-6);
  tf.dispose([a, p]);
});

test('minedTripletLoss: leak-free with gradients; hardest >= semi-hard >= 0; bad input is a typed error', () => {
  const a = tf.tensor2d(randn(16, 3), [4, 4]);
  const p = tf.tensor2d(randn(16, 4), [4, 4]);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => minedTripletLoss(x as tf.Tensor2D, p, { mining: 'semi-hard' }))([a]);
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  assert.ok(grads[0]!.dataSync().every(Number.isFinite));
  tf.dispose([value, ...grads]);
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
  const hard = tf.tidy(() => minedTripletLoss(a, p, { mining: 'hardest' }).dataSync()[0]!);
  const semi = tf.tidy(() => minedTripletLoss(a, p, { mining: 'semi-hard' }).dataSync()[0]!);
  assert.ok(hard >= semi && semi >= 0, `hardest ${hard}, semi-hard ${semi}`);
  assert.throws(
    () => minedTripletLoss(a, p, { mining: 'random' }),
    (e: unknown) => e instanceof ConfigError && /rng/.test(e.message),
  );
  assert.throws(() => minedTripletLoss(a, p, { mining: 'nope' as never }), ConfigError);
  assert.throws(() => minedTripletLoss(a, p, { margin: -1 }), ConfigError);
  const one = tf.zeros([1, 4]) as tf.Tensor2D;
  assert.throws(() => minedTripletLoss(one, one), ShapeError);
  tf.dispose([a, p, one]);
});
