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

/** A change of a ResizableWarmupCosine's length: from `step` on, the run ends after `totalSteps` steps. */
export interface CosineResize {
  step: number;
  totalSteps: number;
}

/**
 * Warm-up + cosine (as `warmupCosine`) whose length can change after the warm-up without a jump in
 * the learning rate: a re-size at step s keeps the cosine's progress reached at s and spreads the
 * rest of it over the new remaining steps. Without re-sizes it is `warmupCosine` exactly. A run
 * sized to a time budget re-sizes it as its measured pace changes (train's `budgetSeconds`); a
 * resumed run replays the same re-sizes.
 */
export class ResizableWarmupCosine {
  private readonly baseLr: number;
  private readonly warmupSteps: number;
  private readonly finalLr: number;
  /** From `step` on: the cosine's progress at `step`, and the run's length. */
  private readonly segments: { step: number; progress: number; totalSteps: number }[];
  /** The re-sizes so far, in order. */
  readonly resizes: CosineResize[] = [];

  constructor({ baseLr, totalSteps, warmupSteps = 0, finalLr = 0 }: WarmupCosineOptions) {
    warmupCosine({ baseLr, totalSteps, warmupSteps, finalLr }); // the same checks
    this.baseLr = baseLr;
    this.warmupSteps = warmupSteps;
    this.finalLr = finalLr;
    this.segments = [{ step: warmupSteps, progress: 0, totalSteps }];
  }

  /** The run's length now. */
  get totalSteps(): number {
    return this.segments.at(-1)!.totalSteps;
  }

  private progress(step: number): number {
    let seg = this.segments[0]!;
    for (const s of this.segments) if (s.step <= step) seg = s;
    const span = seg.totalSteps - seg.step;
    return span <= 0 ? 1 : seg.progress + (1 - seg.progress) * Math.min(1, (step - seg.step) / span);
  }

  /** The learning rate at the 0-based `step`. */
  readonly lr: Schedule = (step: number): number => {
    if (step < this.warmupSteps) return (this.baseLr * (step + 1)) / this.warmupSteps;
    return this.finalLr + 0.5 * (this.baseLr - this.finalLr) * (1 + Math.cos(Math.PI * this.progress(step)));
  };

  /** From `step` on (not before the warm-up's end, not before the last re-size), the run ends after `totalSteps` (> step). */
  resize(step: number, totalSteps: number): void {
    const fn = 'ResizableWarmupCosine.resize';
    assertInteger(step, fn, 'step', 0);
    assertInteger(totalSteps, fn, 'totalSteps');
    const last = this.segments.at(-1)!;
    if (step < last.step) throw new ConfigError(fn, 'step', `must be >= ${last.step} (the warm-up's end or the last re-size), got ${step}`);
    if (totalSteps <= step) throw new ConfigError(fn, 'totalSteps', `must be > step (${step}), got ${totalSteps}`);
    this.segments.push({ step, progress: this.progress(step), totalSteps });
    this.resizes.push({ step, totalSteps });
  }
}
