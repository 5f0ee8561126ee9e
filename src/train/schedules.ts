/**
 * Learning-rate schedules: a function from the 0-based step to the learning rate.
 * SimCLR (arXiv:2002.05709) warms up linearly for 10 epochs, then decays with a cosine
 * without restarts (Loshchilov & Hutter 2017).
 */
import { assertInteger, assertNonNegative } from '../validate.js';
import { ConfigError } from '../errors.js';

export type Schedule = (step: number) => number;

export interface WarmupCosineOptions {
  /** Peak learning rate, reached at the end of the warm-up. */
  baseLr: number;
  /** Total number of steps of the run. */
  totalSteps: number;
  /** Steps of linear warm-up from baseLr / warmupSteps to baseLr. @default 0 */
  warmupSteps?: number;
  /** Learning rate the cosine reaches one step after the last (so the last step still learns). @default 0 (SimCLR) */
  finalLr?: number;
}

/** Linear warm-up, then cosine decay from `baseLr` to `finalLr` over the remaining steps. */
export function warmupCosine({ baseLr, totalSteps, warmupSteps = 0, finalLr = 0 }: WarmupCosineOptions): Schedule {
  assertNonNegative(baseLr, 'warmupCosine', 'baseLr');
  assertInteger(totalSteps, 'warmupCosine', 'totalSteps');
  assertInteger(warmupSteps, 'warmupCosine', 'warmupSteps', 0);
  assertNonNegative(finalLr, 'warmupCosine', 'finalLr');
  if (warmupSteps > totalSteps) {
    throw new ConfigError('warmupCosine', 'warmupSteps', `must be <= totalSteps (${totalSteps}), got ${warmupSteps}`);
  }
  const decaySteps = totalSteps - warmupSteps;
  return (step: number): number => {
    if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / decaySteps); // 0 at the first decay step, 1 one step after the last
    return finalLr + 0.5 * (baseLr - finalLr) * (1 + Math.cos(Math.PI * t));
  };
}

/** The same learning rate at every step. */
export function constantLr(lr: number): Schedule {
  assertNonNegative(lr, 'constantLr', 'lr');
  return () => lr;
}
