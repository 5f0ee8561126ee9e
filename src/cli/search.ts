/**
 * `contrastive search --db <dir> --query <image file or id> [--query ...] [-k 10] [--json] [--html <file>]`:
 * the k nearest rows of the index by cosine distance; a query that is itself in the index is left
 * out of its own neighbours. `--json` prints one line per query:
 * `{"query": "...", "neighbours": [{"id": "...", "path": "...", "distance": 0.12}, ...]}`.
 * `--html` writes a self-contained gallery (thumbnails inlined).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { DataError } from '../errors.js';
import { VectorIndex, type Neighbour } from '../node/search/vector-index.js';
import { readIndexMeta, INDEX_ENCODERS, type IndexEncoder } from '../node/search/index-meta.js';
import { QueryEncoder } from '../node/search/query-encoder.js';
import { searchByImage } from '../node/search/search-by-image.js';
import { writeGallery, type GalleryQuery } from '../node/search/gallery-html.js';
import { int } from './parse.js';

export interface SearchOptions {
  db: string;
  table: string;
  query: string[];
  k: number;
  json?: boolean;
  html?: string;
  /** Embed query images with this run's encoder instead of the index's. */
  run?: string;
  encoder?: IndexEncoder;
}

export interface SearchResult extends GalleryQuery {
  neighbours: Neighbour[];
}

/** Runs the queries as the command does. */
export async function runSearch(o: SearchOptions): Promise<SearchResult[]> {
  const fn = 'search';
  const index = await VectorIndex.open(o.db, { table: o.table });
  let encoder: QueryEncoder | undefined;
  try {
    const results: SearchResult[] = [];
    for (const q of o.query) {
      const stored = await index.row(q);
      if (stored !== undefined) {
        results.push({
          query: q,
          ...(stored.path !== '' ? { path: stored.path } : {}),
          neighbours: await index.search(stored.vector, { k: o.k, exclude: q }),
        });
        continue;
      }
      if (!existsSync(q) || !statSync(q).isFile())
        throw new DataError(fn, q, `is neither an id in the index ${o.db} (table '${o.table}') nor an image file`);
      if (encoder === undefined) {
        const meta = await readIndexMeta(o.db, o.table);
        if (meta === undefined)
          throw new DataError(
            fn,
            o.db,
            `has no ${o.table}.contrastive.json (written by \`contrastive index\`): cannot embed a query image; query by id`,
          );
        encoder = await QueryEncoder.create(meta, o.run ?? meta.run, o.encoder ?? (o.run !== undefined ? 'trained' : meta.encoder));
      }
      results.push({ query: q, path: resolve(q), neighbours: await searchByImage(index, encoder, q, o.k) });
    }
    if (o.html !== undefined) await writeGallery(o.html, results);
    return results;
  } finally {
    await encoder?.close();
    index.close();
  }
}

/** The `--json` line of one query: exactly query, then neighbours of id, path, distance. */
export function jsonLine(r: SearchResult): string {
  return JSON.stringify({ query: r.query, neighbours: r.neighbours.map((n) => ({ id: n.id, path: n.path, distance: n.distance })) });
}

export function register(program: Command): void {
  program
    .command('search')
    .description('the k nearest images in an index to query images or ids (cosine distance)')
    .requiredOption('--db <dir>', 'index folder written by `contrastive index`')
    .requiredOption(
      '--query <image or id>',
      'an image file or an id in the index (repeatable)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('-k, --k <n>', 'neighbours per query', int(), 10)
    .option('--table <name>', 'table in the index', 'images')
    .option('--json', 'one JSON object per query per line', false)
    .option('--html <file>', 'write a self-contained HTML gallery of the results')
    .option('--run <dir>', "embed query images with this run's encoder (default: the index's)")
    .addOption(new Option('--encoder <which>', 'with --run: which encoder').choices([...INDEX_ENCODERS]))
    .action(async (opts: SearchOptions) => {
      const results = await runSearch(opts);
      for (const r of results) {
        if (opts.json === true) {
          process.stdout.write(jsonLine(r) + '\n');
        } else {
          console.log(`${r.query}:`);
          r.neighbours.forEach((n, i) => console.log(`  ${String(i + 1).padStart(2)}. ${n.distance.toFixed(4)}  ${n.id}`));
        }
      }
      if (opts.html !== undefined) process.stderr.write(`gallery: ${opts.html}\n`);
    });
}
