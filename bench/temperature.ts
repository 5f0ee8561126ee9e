/**
 * `npm run bench -- temperature [options]`: SimCLR's NT-Xent at τ in {0.05, 0.1, 0.2, 0.5, 1, 2},
 * the same steps each, evaluated like every method bench (linear and kNN at 1%, 10%, 100%,
 * alignment, uniformity): the document's claims about τ (small τ: hard negatives weigh more,
 * more uniform; large τ: softer, better aligned) made visible. Options as bench/_methods.ts.
 */
import { benchMethods, type BenchMethod } from './_methods.js';

export const TEMPERATURE_CELLS: BenchMethod[] = ['simclr-t0.05', 'simclr-t0.1', 'simclr-t0.2', 'simclr-t0.5', 'simclr-t1', 'simclr-t2'];

export async function main(args: string[]): Promise<void> {
  await benchMethods(args, TEMPERATURE_CELLS, 'temperature');
}
