/**
 * `contrastive embed --run runs/<name> --data <spec> --out file.npy|file.csv [--split S] [--limit N]`:
 * the trained encoder's representation of every sample. `.npy`: float32 `[N, D]`, with the class
 * ids beside it in `<file>.labels.npy` (float32 `[N]`) when the data has labels. `.csv`: one row
 * per sample, columns h0..h{D-1}, then `label` when there are labels.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { initBackend, describeBackend } from '../backend.js';
import { loadDataset } from '../node/data/load-dataset.js';
import { writeNpy } from '../node/data/npy-file.js';
import { RunFolder } from '../node/run/run-folder.js';
import { loadModel } from '../node/run/model-io.js';
import { ConfigError, DataError } from '../errors.js';
import type { Recipe } from '../recipes/recipe.js';
import { fitSequenceLength } from '../recipes/cpc-recipe.js';
import { embedDataset } from '../eval/dataset-features.js';
import { int } from './parse.js';

export interface EmbedOptions {
  run: string;
  data?: string;
  out: string;
  split: 'train' | 'test';
  limit?: number;
  random?: boolean;
}

/** Writes the embeddings; returns the files written and the matrix shape. */
export async function runEmbed(o: EmbedOptions): Promise<{ files: string[]; shape: [number, number] }> {
  const isNpy = o.out.endsWith('.npy');
  if (!isNpy && !o.out.endsWith('.csv')) throw new ConfigError('embed', '--out', `must end in .npy or .csv, got '${o.out}'`);
  const run = new RunFolder(o.run);
  const config = await run.readConfig();
  const recipe = config.recipe as Recipe;
  const runOptions = (config.options ?? {}) as { data?: string; imageSize?: number };
  const spec = o.data ?? runOptions.data;
  if (spec === undefined) throw new DataError('embed', 'config.json', 'names no data: pass --data');
  const data = fitSequenceLength(await loadDataset(spec, { split: o.split, ...(o.limit !== undefined ? { limit: o.limit } : {}), ...(runOptions.imageSize !== undefined ? { imageSize: runOptions.imageSize } : {}) }), recipe); // sequences: the run's length
  if (data.sampleShape.join(',') !== recipe.inputShape.join(',')) {
    throw new DataError('embed', spec, `has samples of shape [${data.sampleShape.join(', ')}], the run's encoder reads [${recipe.inputShape.join(', ')}]`);
  }
  const backend = await initBackend();
  process.stderr.write(`contrastive: ${describeBackend(backend)}\n`);
  const model = await loadModel(run.path(o.random === true ? 'randomEncoder' : 'encoder'));
  try {
    const { data: h, dim } = await embedDataset(model, data);
    const n = data.size;
    const labels = data.labels?.values;
    const files = [o.out];
    if (isNpy) {
      await writeNpy(o.out, h, [n, dim]);
      if (labels !== undefined) {
        const lp = o.out.replace(/\.npy$/, '.labels.npy');
        await writeNpy(lp, Float32Array.from(labels), [n]);
        files.push(lp);
      }
    } else {
      const header = [...Array.from({ length: dim }, (_, j) => `h${j}`), ...(labels ? ['label'] : [])].join(',');
      const lines = [header];
      for (let i = 0; i < n; i++) {
        const row = Array.from(h.subarray(i * dim, (i + 1) * dim), (v) => String(v));
        if (labels) row.push(String(labels[i]));
        lines.push(row.join(','));
      }
      await mkdir(dirname(o.out), { recursive: true });
      await writeFile(o.out, lines.join('\n') + '\n');
    }
    return { files, shape: [n, dim] };
  } finally {
    model.dispose();
  }
}

export function register(program: Command): void {
  program
    .command('embed')
    .description("write a run's encoder representation of a dataset to .npy or .csv (labels beside it)")
    .requiredOption('--run <dir>', 'run folder written by pretrain')
    .requiredOption('--out <file>', 'output file, .npy or .csv')
    .option('--data <spec>', "data to embed (default: the run's data)")
    .addOption(new Option('--split <split>', 'split').choices(['train', 'test']).default('train'))
    .option('--limit <n>', 'embed the first N samples (stratified when labelled)', int())
    .option('--random', 'use the encoder at its random initialisation (a baseline)', false)
    .action(async (opts: EmbedOptions) => {
      const { files, shape } = await runEmbed(opts);
      console.log(`wrote [${shape.join(', ')}] to ${files.join(' and ')}`);
    });
}
