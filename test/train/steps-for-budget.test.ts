import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepsForBudget } from '../../src/train/steps-for-budget.js';
import { ConfigError } from '../../src/errors.js';

test('stepsForBudget: the whole steps that fit the budget, kept within [minSteps, maxSteps]', () => {
  assert.equal(stepsForBudget(120, 0.5), 240);
  assert.equal(stepsForBudget(10, 3), 3); // 3.33 -> 3: a run never overruns by a partial step
  assert.equal(stepsForBudget(1, 5), 1, 'a slow step still trains once');
  assert.equal(stepsForBudget(1, 5, { minSteps: 20 }), 20);
  assert.equal(stepsForBudget(600, 0.01, { minSteps: 20, maxSteps: 3000 }), 3000);
});

test('stepsForBudget: a budget or step time that is not a positive number, or bounds out of order, is a ConfigError naming it', () => {
  assert.throws(
    () => stepsForBudget(0, 1),
    (e: Error) => e instanceof ConfigError && /budgetSeconds/.test(e.message),
  );
  assert.throws(() => stepsForBudget(10, Number.NaN), /stepSeconds/);
  assert.throws(() => stepsForBudget(10, 1, { minSteps: 0 }), /minSteps/);
  assert.throws(() => stepsForBudget(10, 1, { minSteps: 5, maxSteps: 4 }), /maxSteps/);
});
