/**
 * `npm run bench -- cpc-step [--backend native,wasm] [--negatives batch|time|both] [--steps N]`:
 * one CPC training step on short univariate series, the shape of ECG200 (100 series x 96 steps),
 * with the CLI's recipe for that length (conv1d g_enc strides [2, 2], GRU 128, K = 6, 8 positions).
 * Each backend runs in this process after the last; prints the median and the fastest of N timed
 * steps (after 2 warm-up steps), the process's CPU time per step, the kernels one step dispatches
 * (counted by tf.profile: a figure the machine's load does not change) and the load average before
 * and after. Issue 18's target: under 100 ms on native.
 */
import { loadavg } from 'node:os';
import * as tf from '../src/tf.js';
import { initBackend } from '../src/backend.js';
import { buildCpc, cpcRecipe } from '../src/recipes/cpc-recipe.js';
import { Optimizer } from '../src/optim/optimizers.js';
import { Rng } from '../src/random.js';
import type { CpcNegatives } from '../src/methods/cpc.js';

export async function main(args: string[]): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
  const backends = arg('--backend', 'native,wasm').split(',');
  const negatives = arg('--negatives', 'batch') as CpcNegatives;
  const steps = Number(arg('--steps', '10'));
  const recipe = { ...cpcRecipe(96, {}), negatives };
  console.log(
    `cpc step: 100 series x 96 steps, K ${recipe.predictionSteps}, ${recipe.timeSteps} positions, negatives ${negatives}, ${steps} timed steps`,
  );
  for (const name of backends) {
    const info = await initBackend(name as never);
    const method = buildCpc(recipe, 1, 0, new Optimizer({ name: 'adam', learningRate: 1e-3 }));
    const x = tf.randomNormal([100, 96, 1], 0, 1, 'float32', 7);
    const batch = { x, indices: Int32Array.from({ length: 100 }, (_, i) => i) };
    const rng = new Rng(1);
    await method.trainStep(batch, rng);
    await method.trainStep(batch, rng);
    const kernels = (
      await tf.profile(async () => {
        await method.trainStep(batch, rng);
      })
    ).kernels.length;
    const load = loadavg()[0]!;
    const ms: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      await method.trainStep(batch, rng);
      ms.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    ms.sort((a, b) => a - b);
    console.log(
      `  ${info.name} (${info.threads} threads): median ${ms[Math.floor(ms.length / 2)]!.toFixed(0)} ms, fastest ${ms[0]!.toFixed(0)} ms, ` +
        `CPU ${((cpu.user + cpu.system) / 1000 / steps).toFixed(0)} ms/step, ${kernels} kernels/step; load average ${load.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`,
    );
    method.dispose();
    x.dispose();
  }
}
