/**
 * `contrastive eval --run runs/<name> --data <spec> [--limit N] [--json]`: label efficiency
 * (linear probe and kNN at 1%, 10%, 100% of the train labels, scored on the test split) of the
 * trained encoder and of two baselines (raw pixels, the same encoder at its random
 * initialisation), k-means NMI/ARI, and alignment/uniformity on two augmented views of test
 * samples. `--json` prints exactly one JSON object on stdout; progress goes to stderr.
 * Unlabelled data (an image folder without class subfolders): alignment, uniformity, the
 * collapse signal and k-means cluster sizes and inertia instead (eval-unlabelled.json).
 * Parsing only: the evaluation is `runEvaluation` (src/node/run/eval-run.ts).
 */
import type { Command } from 'commander';
import { runEvaluation, formatReport, type EvalOptions } from '../node/run/eval-run.js';
import { int } from './parse.js';

export { runEval, runEvaluation, formatReport } from '../node/run/eval-run.js';
export type { EvalOptions } from '../node/run/eval-run.js';

export function register(program: Command): void {
  program
    .command('eval')
    .description(
      'evaluate a run: linear probe and kNN at 1/10/100% labels vs raw pixels and a random encoder, k-means, alignment/uniformity',
    )
    .requiredOption('--run <dir>', 'run folder written by pretrain')
    .option('--data <spec>', "labelled data with train and test splits (default: the run's data)")
    .option('--limit <n>', 'use at most N train samples (stratified)', int())
    .option('--test-limit <n>', 'use at most N test samples (stratified)', int())
    .option('--pairs <n>', 'test samples whose two views measure alignment/uniformity', int(), 1000)
    .option('--seed <s>', 'seed of label subsets, probes and views', int(0), 0)
    .option('--label-subsets <n>', 'labelled subsets averaged at each fraction below 100% (default 5)', int())
    .option('--clusters <k>', 'unlabelled data: k-means clusters', int(2))
    .option('--json', 'print one JSON object on stdout', false)
    .action(async (opts: EvalOptions) => {
      const report = await runEvaluation(opts);
      if (opts.json === true) process.stdout.write(JSON.stringify(report) + '\n');
      else console.log(formatReport(report));
    });
}
