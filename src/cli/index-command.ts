/**
 * `contrastive index --run <run> --data <spec> --db <dir> [--table <name>] [--encoder trained|random|pixels] [--shard i/n]`:
 * embeds every sample with the run's encoder into a LanceDB table (id, path, label, vector,
 * run). Re-running adds new files and drops deleted ones; a run killed mid-way is completed by
 * the next. `--shard i/n` takes a deterministic slice, so n processes fill one table together.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { initBackend, describeBackend } from '../backend.js';
import { loadDataset } from '../node/data/load-dataset.js';
import { RunFolder } from '../node/run/run-folder.js';
import { loadModel } from '../node/run/model-io.js';
import { DataError } from '../errors.js';
import type { Recipe } from '../recipes/recipe.js';
import { fitSequenceLength } from '../recipes/cpc-recipe.js';
import { assertRunInputShape, runDataOptions, type RunDataOptions } from '../node/run/run-data.js';
import { sampleIds, writeSkipped } from '../node/data/sample-ids.js';
import { parseShard } from '../node/search/shard.js';
import { VectorIndex, checkIndexFolder } from '../node/search/vector-index.js';
import { fillIndex, type FillIndexResult } from '../node/search/fill-index.js';
import { INDEX_ENCODERS, readIndexMeta, writeIndexMeta, type IndexEncoder, type IndexMeta } from '../node/search/index-meta.js';
import { int } from './parse.js';

export interface IndexOptions {
  run: string;
  data?: string;
  db: string;
  table: string;
  encoder: IndexEncoder;
  shard?: string;
  chunk?: number;
  /** Rows from which an ANN index is built. */
  annThreshold?: number;
  quiet?: boolean;
}

/** Builds or updates the index as the command does. */
export async function runIndex(o: IndexOptions): Promise<FillIndexResult> {
  const fn = 'index';
  const log = (l: string): void => {
    if (o.quiet !== true) process.stderr.write(l + '\n');
  };
  const shard = o.shard === undefined ? undefined : parseShard(o.shard, fn);
  const run = new RunFolder(o.run);
  const config = await run.readConfig();
  // every refusal comes before the data is read or anything is written
  await checkIndexFolder(o.db, fn, false);
  const before = await readIndexMeta(o.db, o.table).catch(() => undefined);
  const runPath = resolve(o.run);
  if (before !== undefined && (before.run !== runPath || before.encoder !== o.encoder)) {
    throw new DataError(
      fn,
      o.db,
      `table '${o.table}' holds vectors of run ${before.run} (${before.encoder} encoder, ${before.dim}-d), not of run ${runPath} (${o.encoder} encoder): use another --table or --db`,
    );
  }
  const recipe = config.recipe as Recipe;
  const runOptions = (config.options ?? {}) as RunDataOptions;
  const spec = o.data ?? runOptions.data;
  if (spec === undefined) throw new DataError(fn, 'config.json', 'names no data: pass --data');
  const loaded = await loadDataset(spec, { split: 'train', ...runDataOptions(runOptions), log });
  try {
    const data = fitSequenceLength(loaded, recipe);
    assertRunInputShape(data, recipe, fn, spec);
    const backend = await initBackend();
    log(`contrastive: ${describeBackend(backend)}`);
    const model = o.encoder === 'pixels' ? undefined : await loadModel(run.path(o.encoder === 'random' ? 'randomEncoder' : 'encoder'));
    try {
      const dim = model === undefined ? data.sampleShape.reduce((a, b) => a * b, 1) : (model.outputs[0]!.shape[1] as number);
      const meta: IndexMeta = {
        run: runPath,
        encoder: o.encoder,
        dim,
        data: spec,
        ...(sampleIds(data).root !== undefined ? { root: sampleIds(data).root! } : {}),
        sampleShape: [...data.sampleShape],
        ...(runOptions.resize !== undefined ? { resize: runOptions.resize } : {}),
        ...(data.labels !== undefined ? { classNames: data.labels.classNames } : {}),
      };
      if (before !== undefined && before.dim !== dim) {
        throw new DataError(
          fn,
          o.db,
          `table '${o.table}' holds ${before.dim}-d vectors, this encoder makes ${dim}-d ones: use another --table or --db`,
        );
      }
      const index = await VectorIndex.open(o.db, { table: o.table, create: { dim, labelled: data.labels !== undefined } });
      try {
        if (before === undefined) await writeIndexMeta(o.db, o.table, meta);
        const res = await fillIndex({
          index,
          data,
          encoder: model ?? 'pixels',
          run: runPath,
          ...(shard !== undefined ? { shard } : {}),
          ...(o.chunk !== undefined ? { chunkRows: o.chunk } : {}),
          ...(o.annThreshold !== undefined ? { annThreshold: o.annThreshold } : {}),
          log,
        });
        const skippedFile = `${o.db}/${o.table}${shard !== undefined ? `.shard-${shard.index}-of-${shard.count}` : ''}.skipped.txt`;
        const n = await writeSkipped(skippedFile, loaded);
        if (n > 0) log(`skipped ${n} files that are not readable images (listed in ${skippedFile})`);
        return res;
      } finally {
        index.close();
      }
    } finally {
      model?.dispose();
    }
  } finally {
    await loaded.close?.();
  }
}

export function register(program: Command): void {
  program
    .command('index')
    .description("embed a collection with a run's encoder into a LanceDB index (incremental; --shard for several processes)")
    .requiredOption('--run <dir>', 'run folder written by pretrain')
    .requiredOption('--db <dir>', 'index folder (a LanceDB database; created when missing)')
    .option('--data <spec>', "data to index, e.g. folder:./photos (default: the run's data)")
    .option('--table <name>', 'table in the index', 'images')
    .addOption(
      new Option('--encoder <which>', 'trained encoder, the random one at its initialisation, or raw pixels (baselines)')
        .choices([...INDEX_ENCODERS])
        .default('trained'),
    )
    .option('--shard <i/n>', 'index only slice i of n (1-based), so n processes fill one table')
    .option('--chunk <n>', 'samples embedded and committed together', int(), 512)
    .option('--ann-threshold <n>', 'rows from which an IVF-PQ index is built', int())
    .action(async (opts: IndexOptions) => {
      const r = await runIndex(opts);
      console.log(
        `index ${opts.db} (${opts.table}): ${r.added} added, ${r.removed} removed, ${r.unchanged} unchanged` +
          `${r.dropped > 0 ? `, ${r.dropped} unreadable` : ''}; ${r.total} rows` +
          `${r.ann === 'built' ? '; ANN index built' : r.ann === 'updated' ? '; ANN index updated' : ''}`,
      );
    });
}
