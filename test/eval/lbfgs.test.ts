import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgs } from '../../src/eval/lbfgs.js';
import { ConfigError } from '../../src/errors.js';
import { assertClose } from '../support/tensors.js';

test('minimises an ill-conditioned quadratic to its closed-form minimum', async () => {
  // f(x) = Σ a_i (x_i - c_i)² / 2, minimum at c.
  const a = [1, 10, 100, 0.1];
  const c = [1, -2, 3, 0.5];
  const r = await minimizeLbfgs(
    async (x) => ({
      loss: x.reduce((s, v, i) => s + (a[i]! * (v - c[i]!) ** 2) / 2, 0),
      grad: x.map((v, i) => a[i]! * (v - c[i]!)),
    }),
    new Float64Array(4),
    { gradientTolerance: 1e-9, maxIterations: 200 },
  );
  assert.ok(r.iterations < 50, `${r.iterations} iterations`);
  assertClose(r.x, c, 1e-5, 1e-5);
});

test('minimises the Rosenbrock function', async () => {
  const r = await minimizeLbfgs(
    async ([x, y]) => ({
      loss: (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2,
      grad: Float64Array.from([-2 * (1 - x!) - 400 * x! * (y! - x! * x!), 200 * (y! - x! * x!)]),
    }),
    Float64Array.from([-1.2, 1]),
    { maxIterations: 500, gradientTolerance: 1e-8 },
  );
  assertClose(r.x, [1, 1], 1e-4, 1e-4);
});

test('does not modify x0 and honours maxIterations = 0', async () => {
  const x0 = Float64Array.from([3]);
  const r = await minimizeLbfgs(async (x) => ({ loss: x[0]! ** 2, grad: Float64Array.from([2 * x[0]!]) }), x0, { maxIterations: 0 });
  assert.equal(x0[0], 3);
  assert.equal(r.iterations, 0);
  await assert.rejects(
    minimizeLbfgs(async () => ({ loss: 0, grad: new Float64Array(1) }), x0, { history: 0 }),
    ConfigError,
  );
});
