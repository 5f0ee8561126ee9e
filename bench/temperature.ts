/**
 * `npm run bench -- temperature [options]`: SimCLR's NT-Xent at τ in {0.05, 0.1, 0.2, 0.5, 1, 2},
 * the same steps each, evaluated like every method bench (linear and kNN at 1%, 10%, 100%,
 * alignment, uniformity): the document's claims about τ (small τ: hard negatives weigh more,
 * more uniform; large τ: softer, better aligned) made visible. Options as bench/_methods.ts.
 * Writes `<out>/temperature-sweep.json`: `contrastive report --run <out>/<cell>` then shows the
 * run among the sweep's (a τ section).
 */
import { join } from 'node:path';
import { benchMethods, BENCH_METHODS, type BenchMethod } from './_methods.js';
import { TEMPERATURE_SWEEP_FILE, type TemperatureSweep } from '../src/run-report/temperature-sweep.js';
import { writeFileAtomic } from '../src/node/run/atomic-write.js';

export const TEMPERATURE_CELLS: BenchMethod[] = ['simclr-t0.05', 'simclr-t0.1', 'simclr-t0.2', 'simclr-t0.5', 'simclr-t1', 'simclr-t2'];

export async function main(args: string[]): Promise<void> {
  // a sweep shows how τ moves the figures; it has no bar to pass, only the runs to finish
  const summary = await benchMethods(args, TEMPERATURE_CELLS, 'temperature', { baselines: [], fractions: [] });
  const points = Object.entries(summary.methods).map(([run, r]) => ({
    temperature: (BENCH_METHODS[run as BenchMethod] as { temperature: number }).temperature,
    run,
    alignment: r!.report.alignment,
    uniformity: r!.report.uniformity,
    linear: r!.report.linear,
    knn: r!.report.knn,
  }));
  const steps = Math.max(0, ...Object.values(summary.methods).map((r) => r!.steps));
  const sweep: TemperatureSweep = { loss: 'ntxent', steps, points: points.sort((a, b) => a.temperature - b.temperature) };
  const file = join(summary.out, TEMPERATURE_SWEEP_FILE);
  await writeFileAtomic(file, JSON.stringify(sweep, null, 2) + '\n');
  console.log(`sweep written to ${file}`);
}
