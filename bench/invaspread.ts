/**
 * `npm run bench -- invaspread [options]`: InvaSpread on Fashion-MNIST next to the baselines, with
 * the setup and options of bench/npid.ts (add `--methods invaspread,simclr,npid-nce,npid-softmax`
 * to compare all in one run).
 */
import { runBench } from './npid.js';

export async function main(args: string[]): Promise<void> {
  await runBench(args, ['invaspread']);
}
