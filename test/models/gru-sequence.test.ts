import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/tf.js';
import { gruSequence, hasGruSequenceKernel } from '../../src/models/gru-sequence.js';
import { useBackend, randn, assertClose } from '../support/tensors.js';

before(() => useBackend());

test('gruSequence (tf-ops path) with hardSigmoid gates: outputs and gradients of tf.layers.gru with its default gates', () => {
  assert.equal(hasGruSequenceKernel(), false, 'the cpu backend has no GRU kernel: this is the tf-ops path');
  const [b, t, d, u] = [3, 6, 4, 5];
  const layer = tf.layers.gru({ units: u, returnSequences: true, recurrentInitializer: 'glorotUniform', biasInitializer: 'randomNormal' });
  const input = tf.input({ shape: [t, d] });
  const ref = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  const [kernel, rk, bias] = ref.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const x = tf.tensor3d(
    randn(b * t * d, 2).map((v) => 2 * v),
    [b, t, d],
  ); // large enough that some gates clip
  const mine = (xx: tf.Tensor, k: tf.Tensor, r: tf.Tensor, bb: tf.Tensor) =>
    gruSequence(xx as tf.Tensor3D, k as tf.Tensor2D, r as tf.Tensor2D, bb as tf.Tensor1D, { recurrentActivation: 'hardSigmoid' });
  const before = tf.memory().numTensors;
  const y = mine(x, kernel, rk, bias);
  assert.equal(tf.memory().numTensors, before + 1, 'leak-free');
  const w = tf.tensor(randn(y.size, 3), y.shape);
  assertClose(y.dataSync(), (ref.predict(x) as tf.Tensor).dataSync(), 0, 1e-5, 'output');
  const gMine = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(mine(a[0]!, a[1]!, a[2]!, a[3]!), w)))([x, kernel, rk, bias]);
  const vars = ref.trainableWeights.map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(ref.apply(x) as tf.Tensor, w)) as tf.Scalar, vars);
  const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(ref.apply(xx) as tf.Tensor, w)))(x);
  [dx, ...vars.map((v) => grads[v.name]!)].forEach((g, i) => assertClose(gMine[i]!.dataSync(), g.dataSync(), 0, 1e-5, `gradient ${i}`));
  tf.dispose([x, y, w, dx, ...gMine, ...Object.values(grads)]); // getWeights() gave the variables themselves: the model disposes them
  ref.dispose();
});
