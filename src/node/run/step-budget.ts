/**
 * Runs sized to time on this machine: `measureStepSeconds` times training steps of a recipe on the
 * active backend (a throwaway model, so the run itself starts untouched), `sizeStepsToBudget`
 * turns a budget in seconds into a step count with it (`stepsForBudget`). `pretrain --minutes` and
 * `npm start` size their runs with the one function.
 */
import * as tf from '../../tf.js';
import { Rng } from '../../random.js';
import type { Dataset } from '../../data/dataset.js';
import { buildMethod, type MethodBuild, type Recipe } from '../../recipes/recipe.js';
import { stepsForBudget, type StepsForBudgetOptions } from '../../train/steps-for-budget.js';
import { loadDataset } from '../data/load-dataset.js';

export interface MeasureStepOptions {
  /**
   * Untimed steps first: kernels compile, buffers fill, and WebAssembly code moves to its optimised
   * tier over the first steps (the second and third took 20-60% longer than the steady step, on
   * native and on wasm). @default 3
   */
  warmup?: number;
  /** Timed steps after the warm-up. @default 2 */
  steps?: number;
  /** The clock, in milliseconds (tests inject one). @default performance.now */
  now?: () => number;
}

/**
 * Seconds one training step of `build` (a recipe, or a MethodBuild with the user's model) takes
 * on the active backend, on the first `batchSize` samples of `data` (a Dataset or a data spec): a
 * throwaway model, `warmup` untimed steps, then the mean of `steps`.
 */
export async function measureStepSeconds(
  build: Recipe | MethodBuild,
  data: string | Dataset,
  batchSize: number,
  { warmup = 3, steps = 2, now = () => performance.now() }: MeasureStepOptions = {},
): Promise<number> {
  const mb: MethodBuild =
    'recipe' in build ? build : { recipe: build, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 1e-6, clipNorm: 0 } };
  const probe = buildMethod({ ...mb, optimizer: { ...mb.optimizer, clipNorm: 0 } });
  try {
    const sample = typeof data === 'string' ? await loadDataset(data, { split: 'train', limit: batchSize }) : data;
    const b = await sample.getBatch(Int32Array.from({ length: Math.min(batchSize, sample.size) }, (_, i) => i));
    const x = tf.tensor(b.x, b.shape);
    try {
      const rng = new Rng(0);
      for (let i = 0; i < warmup; i++) await probe.trainStep({ x, indices: b.indices }, rng);
      const t = now();
      for (let i = 0; i < steps; i++) await probe.trainStep({ x, indices: b.indices }, rng);
      return (now() - t) / 1000 / steps;
    } finally {
      x.dispose();
    }
  } finally {
    probe.dispose();
  }
}

export interface SizeStepsToBudgetOptions extends StepsForBudgetOptions, MeasureStepOptions {}

/** The steps of `build` that fit in `budgetSeconds` on this machine, and the measured seconds per step. */
export async function sizeStepsToBudget(
  build: Recipe | MethodBuild,
  data: string | Dataset,
  batchSize: number,
  budgetSeconds: number,
  o: SizeStepsToBudgetOptions = {},
): Promise<{ steps: number; stepSeconds: number }> {
  const stepSeconds = await measureStepSeconds(build, data, batchSize, o);
  return { steps: stepsForBudget(budgetSeconds, stepSeconds, o), stepSeconds };
}
