/**
 * `npm run bench -- matrix [options]`: every valid proxy task x loss x negatives combination that
 * runs on Fashion-MNIST (grey images: CMC needs colour, CPC sequences; both are covered by the
 * combination tests and the CLI) trained for the same number of steps with the CLI's defaults
 * (`contrastive pretrain --method <m> --loss <l> --negatives <n>`), each evaluated by
 * `contrastive eval`: linear probe and kNN at 1% and 10%, alignment, uniformity, step time, next
 * to raw pixels and the random encoder. Options as bench/_methods.ts (`--steps N`, `--limit N`,
 * `--eval-limit N`, `--test-limit N`, `--methods a,b`, `--out`, `--merge`).
 */
import { benchMethods, type BenchMethod } from './_methods.js';

/** Issue 17's bar for every cell: above its random encoder on both probes at 10% labels. */
const BEAT_RANDOM_AT_10 = { baselines: ['random'], fractions: ['10%'] };

/** The cells: 12 (method, loss, negatives) pairings plus the defaults they vary. */
export const MATRIX_CELLS: BenchMethod[] = [
  'simclr',
  'simclr-infonce',
  'simclr-dcl',
  'simclr-triplet',
  'simclr-align-uniform',
  'simclr-invaspread',
  'simclr-crops2',
  'invaspread',
  'invaspread-ntxent',
  'moco',
  'npid-nce',
  'npid-softmax',
  'npid-infonce',
];

export async function main(args: string[]): Promise<void> {
  await benchMethods(args, MATRIX_CELLS, 'matrix', BEAT_RANDOM_AT_10);
}
