/**
 * A time budget as a step count: `floor(budget / stepSeconds)`, kept within [minSteps, maxSteps].
 * `pretrain --minutes`, `npm start` and the benchmarks size their runs with it from a measured
 * step time (src/node/run/step-budget.ts measures one), so that budgets are stated as time on a
 * machine.
 */
import { ConfigError } from '../errors.js';
import { describe } from '../validate.js';

export interface StepsForBudgetOptions {
  /** Fewest steps, however slow a step. @default 1 (a run trains at least once) */
  minSteps?: number;
  /** Most steps, however fast a step. @default Infinity */
  maxSteps?: number;
}

/** The steps of `stepSeconds` each that fit in `budgetSeconds`, within [minSteps, maxSteps]. */
export function stepsForBudget(
  budgetSeconds: number,
  stepSeconds: number,
  { minSteps = 1, maxSteps = Infinity }: StepsForBudgetOptions = {},
): number {
  const fn = 'stepsForBudget';
  if (!(typeof budgetSeconds === 'number' && budgetSeconds > 0 && Number.isFinite(budgetSeconds)))
    throw new ConfigError(fn, 'budgetSeconds', `must be a finite number > 0, got ${describe(budgetSeconds)}`);
  if (!(typeof stepSeconds === 'number' && stepSeconds > 0 && Number.isFinite(stepSeconds)))
    throw new ConfigError(fn, 'stepSeconds', `must be a finite number > 0, got ${describe(stepSeconds)}`);
  if (!(Number.isInteger(minSteps) && minSteps >= 1))
    throw new ConfigError(fn, 'minSteps', `must be an integer >= 1, got ${describe(minSteps)}`);
  if (!(maxSteps === Infinity || (Number.isInteger(maxSteps) && maxSteps >= minSteps)))
    throw new ConfigError(fn, 'maxSteps', `must be an integer >= minSteps (${minSteps}) or Infinity, got ${describe(maxSteps)}`);
  return Math.max(minSteps, Math.min(maxSteps, Math.floor(budgetSeconds / stepSeconds)));
}
