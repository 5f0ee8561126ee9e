/**
 * `contrastive report --run runs/<name>`: writes runs/<name>/report.html, one self-contained page
 * (loss and learning rate, kNN monitor, label efficiency from eval.json, alignment/uniformity
 * plane, UMAP of test embeddings, retrieval grid, config). Missing files are listed on the page.
 */
import type { Command } from 'commander';
import { describeBackend, initBackend } from '../backend.js';
import { writeRunReport } from '../node/run-report/write-run-report.js';
import { int } from './parse.js';

export interface ReportOptions {
  run: string;
  testLimit: number;
  embeddings: boolean;
  seed: number;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('write runs/<name>/report.html: training curves, evaluation, UMAP and nearest neighbours in one self-contained page')
    .requiredOption('--run <dir>', 'run folder written by pretrain')
    .option('--test-limit <n>', 'test samples embedded for the UMAP and the retrieval grid', int(3), 1000)
    .option('--no-embeddings', 'skip the sections that need the encoder and the data')
    .option('--seed <s>', 'seed of the UMAP and the augmented views', int(0), 0)
    .action(async (opts: ReportOptions) => {
      if (opts.embeddings) process.stderr.write(`contrastive: ${describeBackend(await initBackend())}\n`);
      const r = await writeRunReport(opts.run, { testLimit: opts.testLimit, skipEmbeddings: !opts.embeddings, seed: opts.seed });
      for (const p of r.problems) process.stderr.write(`report: ${p}\n`);
      process.stdout.write(`${r.path} (${(r.bytes / 1024).toFixed(0)} kB)\n`);
    });
}
