import { test, before } from 'node:test';
import * as tf from '../../src/tf.js';
import { SoftmaxProblem } from '../../src/eval/softmax-regression.js';
import { assertClose, randn, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('closed-form loss and gradient equal autodiff of the same objective', async () => {
  const [n, d, c, l2] = [7, 3, 4, 0.3];
  const x = tf.tensor2d(randn(n * d, 1), [n, d]);
  const labels = Int32Array.from([0, 1, 2, 3, 1, 1, 0]);
  const p = Float64Array.from(randn(d * c + c, 2));
  const problem = new SoftmaxProblem(x, labels, c);
  const got = await problem.lossAndGrad(p, l2);
  problem.dispose();
  const w = tf.tensor2d(Float32Array.from(p.subarray(0, d * c)), [d, c]);
  const b = tf.tensor1d(Float32Array.from(p.subarray(d * c)));
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
  const f = (w: tf.Tensor, b: tf.Tensor) =>
    tf.add(
      tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w as tf.Tensor2D), b)),
      tf.mul(0.5 * l2, tf.sum(tf.square(w))),
    ) as tf.Scalar;
  const { value, grads } = tf.valueAndGrads(f)([w, b]);
  assertClose(got.loss, value.dataSync()[0]!, 1e-5, 1e-6, 'loss');
  assertClose(got.grad, [...grads[0]!.dataSync(), ...grads[1]!.dataSync()], 1e-4, 1e-6, 'grad');
  tf.dispose([x, w, b, y, value, ...grads]);
});
