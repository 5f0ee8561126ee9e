/**
 * Brings an index up to date with a dataset, incrementally: rows whose id is no longer in the
 * data are removed, samples whose id is not in the index yet are embedded and added in chunks
 * (each chunk one commit), the rest are left alone. A process killed between chunks leaves whole
 * rows only; the next run adds what is missing. With a shard, only that slice's ids are touched.
 */
import type { Dataset } from '../../data/dataset.js';
import { subset } from '../../data/subset.js';
import { ConfigError } from '../../errors.js';
import { sampleIds } from '../data/sample-ids.js';
import { embedRows, type RowEncoder } from './embed-rows.js';
import { inShard, type Shard } from './shard.js';
import { DEFAULT_ANN_THRESHOLD, type IndexRow, type VectorIndex } from './vector-index.js';

export interface FillIndexOptions {
  index: VectorIndex;
  data: Dataset;
  encoder: RowEncoder;
  /** Recorded in each row's `run` column. */
  run: string;
  /** Only this slice of the ids. @default all */
  shard?: Shard;
  /** Samples embedded and committed together. @default 512 */
  chunkRows?: number;
  /** Samples per encoder batch. @default 256 */
  batchSize?: number;
  /** Rows from which an ANN index is built. @default DEFAULT_ANN_THRESHOLD */
  annThreshold?: number;
  /** Progress lines. @default nowhere */
  log?: (line: string) => void;
  /** Called after each committed chunk (tests stop a process here). */
  onChunk?: (done: number, total: number) => void;
}

export interface FillIndexResult {
  added: number;
  removed: number;
  /** Samples of this slice already in the index. */
  unchanged: number;
  /** Samples whose file could not be decoded (not added). */
  dropped: number;
  /** Rows in the table afterwards (all slices). */
  total: number;
  ann: 'built' | 'updated' | 'none';
}

export async function fillIndex(o: FillIndexOptions): Promise<FillIndexResult> {
  const fn = 'fillIndex';
  const chunkRows = o.chunkRows ?? 512;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new ConfigError(fn, 'chunkRows', `must be an integer >= 1, got ${chunkRows}`);
  const { ids, paths } = sampleIds(o.data);
  const present = new Set(ids);
  const existing = await o.index.ids();
  const stale = [...existing].filter((id) => !present.has(id) && inShard(id, o.shard));
  if (stale.length > 0) await o.index.remove(stale);
  const todo: number[] = [];
  let unchanged = 0;
  ids.forEach((id, i) => {
    if (!inShard(id, o.shard)) return;
    if (existing.has(id)) unchanged++;
    else todo.push(i);
  });
  o.log?.(
    `index: ${unchanged} already indexed, ${todo.length} to add, ${stale.length} removed (files gone)${o.shard !== undefined ? ` [shard ${o.shard.index}/${o.shard.count}]` : ''}`,
  );
  let added = 0;
  let dropped = 0;
  for (let at = 0; at < todo.length; at += chunkRows) {
    const part = todo.slice(at, at + chunkRows);
    const rows = await embedRows(o.encoder, subset(o.data, part), o.batchSize ?? 256);
    const out: IndexRow[] = rows.ids.map((id, k) => ({
      id,
      path: rows.paths?.[k] ?? paths?.[part[k]!] ?? '',
      ...(rows.labels !== undefined ? { label: rows.labels[k]! } : {}),
      vector: rows.vectors.subarray(k * rows.dim, (k + 1) * rows.dim),
      run: o.run,
    }));
    await o.index.add(out);
    added += out.length;
    dropped += rows.dropped;
    o.log?.(`index: ${Math.min(at + chunkRows, todo.length)}/${todo.length} embedded`);
    o.onChunk?.(Math.min(at + chunkRows, todo.length), todo.length);
  }
  const ann = await o.index.optimize(o.annThreshold ?? DEFAULT_ANN_THRESHOLD);
  return { added, removed: stale.length, unchanged, dropped, total: await o.index.count(), ann };
}
