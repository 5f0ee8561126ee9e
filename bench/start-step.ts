/**
 * `npm run bench -- start-step [--steps N] [--warmup W] [--rounds R] [--profile]`: the training step `npm start`
 * runs (src/cli/start.ts: SimCLR, small CNN with BatchNorm after every convolution, on the
 * features and in the head, small-grey-jitter augmentation, τ START_TEMPERATURE, batch 256 pairs,
 * Adam with weight decay 1e-6), timed on the active backend (CONTRASTIVE_BACKEND picks it) with
 * the function `npm start` sizes its run with (`measureStepSeconds`: W warm-up steps, 3 by default
 * as `npm start`'s, then the mean of N). Prints samples/s (pairs per second, as the progress bar) and images/s (two views a
 * pair) per round, and the median. `--profile` prints the kernels' share of one step.
 */
import * as tf from '../src/tf.js';
import { initBackend, describeBackend } from '../src/backend.js';
import { measureStepSeconds } from '../src/node/run/step-budget.js';
import { loadDataset } from '../src/node/data/load-dataset.js';
import { buildMethod } from '../src/recipes/recipe.js';
import { startRecipe } from '../src/cli/start.js';
import { Rng } from '../src/random.js';
import { kernelProfileLines } from './_kernel-profile.js';

const BATCH = 256;

/** `npm start`'s recipe (src/cli/start.ts). */
const recipe = startRecipe();

async function profileStep(): Promise<void> {
  const method = buildMethod({ recipe, optimizer: { name: 'adam', learningRate: 1e-3, weightDecay: 1e-6, clipNorm: 0 } });
  const sample = await loadDataset('fashion-mnist', { split: 'train', limit: BATCH });
  const b = await sample.getBatch(Int32Array.from({ length: BATCH }, (_, i) => i));
  const x = tf.tensor(b.x, b.shape);
  const rng = new Rng(0);
  await method.trainStep({ x, indices: b.indices }, rng);
  const p = await tf.profile(async () => {
    await method.trainStep({ x, indices: b.indices }, rng);
  });
  x.dispose();
  method.dispose();
  for (const line of kernelProfileLines(p, 'profile (one step; nested scopes count twice)')) console.log(line);
}

export async function main(args: string[]): Promise<void> {
  let steps = 3;
  let warmup: number | undefined;
  let rounds = 1;
  let profile = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--steps') steps = Math.max(1, Number.parseInt(args[++i] ?? '', 10));
    else if (a === '--warmup') warmup = Math.max(0, Number.parseInt(args[++i] ?? '', 10));
    else if (a === '--rounds') rounds = Math.max(1, Number.parseInt(args[++i] ?? '', 10));
    else if (a === '--profile') profile = true;
    else throw new Error(`start-step: unknown option '${a}'`);
  }
  const info = await initBackend();
  console.log(`start-step: npm start's training step (batch ${BATCH} pairs), ${steps} timed steps per round, ${describeBackend(info)}`);
  const rates: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const s = await measureStepSeconds(recipe, 'fashion-mnist', BATCH, { steps, ...(warmup !== undefined ? { warmup } : {}) });
    rates.push(BATCH / s);
    console.log(
      `  round ${r}: step ${(s * 1000).toFixed(0)} ms, ${(BATCH / s).toFixed(1)} samples/s, ${((2 * BATCH) / s).toFixed(1)} images/s`,
    );
  }
  const med = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
  console.log(`median: ${med.toFixed(1)} samples/s (${(2 * med).toFixed(1)} images/s) on ${info.name} (${info.threads} threads)`);
  if (profile) await profileStep();
}
