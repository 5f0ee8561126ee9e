/**
 * `contrastive embed --run runs/<name> --data <spec> --out file.npy|.csv|.jsonl [--format F]`:
 * the trained encoder's representation of every sample, with its id (the path relative to the
 * data root for image folders, else the row number) and its int32 label where there are labels.
 * `.npy`: float32 `[N, D]`, ids in `<file>.ids.txt`, labels in `<file>.labels.npy`. `.csv`: one
 * row per sample, columns id, h0..h{D-1}, then `label`. `.jsonl`: `{"id", "label", "vector"}`
 * per line. Images that cannot be decoded are left out and listed in `<file>.skipped.txt`.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { initBackend, describeBackend } from '../backend.js';
import { loadDataset } from '../node/data/load-dataset.js';
import { RunFolder } from '../node/run/run-folder.js';
import { loadModel } from '../node/run/model-io.js';
import { DataError } from '../errors.js';
import { fitSequenceLength } from '../recipes/cpc-recipe.js';
import { embedRows } from '../node/search/embed-rows.js';
import { EMBED_FORMATS, formatOfPath, writeEmbeddings, type EmbedFormat } from '../node/search/write-embeddings.js';
import { writeSkipped } from '../node/data/sample-ids.js';
import { assertRunInputShape, runDataOptions, runRecipeAndData } from '../node/run/run-data.js';
import { int } from './parse.js';

export interface EmbedOptions {
  run: string;
  data?: string;
  out: string;
  /** @default by the extension of `out` */
  format?: EmbedFormat;
  split: 'train' | 'test';
  limit?: number;
  random?: boolean;
  quiet?: boolean;
}

/** Writes the embeddings; returns the files written and the matrix shape. */
export async function runEmbed(o: EmbedOptions): Promise<{ files: string[]; shape: [number, number] }> {
  const format = o.format ?? formatOfPath(o.out);
  if (format === undefined) throw new DataError('embed', '--out', `must end in .npy, .csv or .jsonl (or pass --format), got '${o.out}'`);
  const log = (l: string): void => {
    if (o.quiet !== true) process.stderr.write(l + '\n');
  };
  const run = new RunFolder(o.run);
  const { recipe, runOptions, spec } = await runRecipeAndData(run, o.data, 'embed');
  const loaded = await loadDataset(spec, {
    split: o.split,
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...runDataOptions(runOptions),
    log,
  });
  try {
    const data = fitSequenceLength(loaded, recipe); // sequences: the run's length
    assertRunInputShape(data, recipe, 'embed', spec);
    const backend = await initBackend();
    log(`contrastive: ${describeBackend(backend)}`);
    const model = await loadModel(run.path(o.random === true ? 'randomEncoder' : 'encoder'));
    try {
      const rows = await embedRows(model, data);
      const files = await writeEmbeddings(rows, o.out, format);
      const skippedFile = `${o.out.replace(/\.(npy|csv|jsonl)$/i, '')}.skipped.txt`;
      const n = await writeSkipped(skippedFile, loaded);
      if (n > 0) {
        log(`skipped ${n} files that are not readable images (listed in ${skippedFile})`);
        files.push(skippedFile);
      }
      return { files, shape: [rows.ids.length, rows.dim] };
    } finally {
      model.dispose();
    }
  } finally {
    await loaded.close?.();
  }
}

export function register(program: Command): void {
  program
    .command('embed')
    .description("write a run's encoder representation of a dataset with ids (and int32 labels) to .npy, .csv or .jsonl")
    .requiredOption('--run <dir>', 'run folder written by pretrain')
    .requiredOption('--out <file>', 'output file: .npy, .csv or .jsonl')
    .addOption(new Option('--format <format>', 'output format (default: by the extension of --out)').choices([...EMBED_FORMATS]))
    .option('--data <spec>', "data to embed (default: the run's data)")
    .addOption(new Option('--split <split>', 'split').choices(['train', 'test']).default('train'))
    .option('--limit <n>', 'embed the first N samples (stratified when labelled)', int())
    .option('--random', 'use the encoder at its random initialisation (a baseline)', false)
    .option('--json', 'print one JSON object (files, shape, format) instead of the line', false)
    .action(async (opts: EmbedOptions & { json?: boolean }) => {
      const { files, shape } = await runEmbed(opts);
      if (opts.json === true) process.stdout.write(JSON.stringify({ files, shape, format: opts.format ?? formatOfPath(opts.out) }) + '\n');
      else console.log(`wrote [${shape.join(', ')}] to ${files.join(' and ')}`);
    });
}
