/**
 * A searchable index of embeddings on LanceDB (embedded, on disk): one table, one row per sample
 * with its id (path relative to the data root), file path, int32 label when labelled, the
 * vector and the run it came from. Nearest neighbours by cosine distance (1 - cos).
 *
 * Writes are merge-inserts keyed on `id`, so re-adding a row is a no-op: a run killed mid-way
 * and rerun, or two processes filling one table, never duplicate a row. A commit that loses a
 * race with another writer is retried. An ANN index (IVF-PQ) is built only once the table is
 * large enough for one to pay (`annThreshold`); below it the exact scan is fast enough.
 */
import { access, constants, readdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as tf from '../../tf.js';
import { ConfigError, DataError, ShapeError } from '../../errors.js';
import { loadLanceDb } from './lancedb.js';
import type { Connection, Table } from '@lancedb/lancedb';

export interface IndexRow {
  id: string;
  path: string;
  /** Class id, in labelled indexes. */
  label?: number;
  vector: Float32Array;
  /** The run folder whose encoder made the vector. */
  run: string;
}

export interface Neighbour {
  id: string;
  path: string;
  /** Cosine distance, 1 - cos, in [0, 2]. */
  distance: number;
  label?: number;
}

export interface OpenIndexOptions {
  /** Table name. @default 'images' */
  table?: string;
  /** Create the table (and folder) when missing, with vectors of `dim` and a label column when `labelled`. */
  create?: { dim: number; labelled: boolean };
}

export interface SearchOptions {
  /** Neighbours wanted. @default 10 */
  k?: number;
  /** An id left out of the results (a query that is itself in the index). */
  exclude?: string;
}

/**
 * Rows from which an ANN index pays: an exact scan of 100k 128-d rows took 88 ms (p50) here, so
 * about 45 ms at 50k; IVF-PQ answers in a few ms. @default 50,000 (BENCHMARKS.md, Retrieval)
 */
export const DEFAULT_ANN_THRESHOLD = 50_000;

const sql = (s: string): string => `'${s.replace(/'/g, "''")}'`;

async function retry<T>(what: () => Promise<T>, tries = 12): Promise<T> {
  for (let k = 0; ; k++) {
    try {
      return await what();
    } catch (err) {
      const m = (err as Error).message ?? '';
      if (k >= tries - 1 || !/conflict|commit|retry|concurrent|already exists|version/i.test(m)) throw err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * (k + 1)));
    }
  }
}

/**
 * Checks that `dir` can hold an index: absent (its nearest parent writable), or a folder that is
 * empty or a LanceDB, and writable. `mustExist`: for reading, it must exist (writability aside).
 */
export async function checkIndexFolder(dir: string, fn: string, mustExist: boolean): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (s === undefined) {
    if (mustExist) throw new DataError(fn, dir, 'does not exist: build an index with `contrastive index --db ' + dir + '` first');
    let parent = dirname(resolve(dir));
    while ((await stat(parent).catch(() => undefined)) === undefined) parent = dirname(parent);
    await access(parent, constants.W_OK).catch(() => {
      throw new DataError(fn, dir, `cannot be created: ${parent} is not writable`);
    });
    return;
  }
  if (!s.isDirectory()) throw new DataError(fn, dir, 'is a file, not an index folder');
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  const foreign = names.filter(
    (n) => !n.endsWith('.lance') && !n.endsWith('.contrastive.json') && !n.endsWith('.skipped.txt') && n !== '__manifest',
  );
  if (foreign.length > 0 && !names.some((n) => n.endsWith('.lance'))) {
    throw new DataError(
      fn,
      dir,
      `is not an index: it holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}) and no LanceDB table`,
    );
  }
  if (!mustExist) {
    await access(dir, constants.W_OK).catch(() => {
      throw new DataError(fn, dir, 'is not writable');
    });
  }
}

export class VectorIndex {
  private constructor(
    readonly dir: string,
    readonly tableName: string,
    private readonly conn: Connection,
    private readonly table: Table,
    /** Length of every vector. */
    readonly dim: number,
    /** Whether rows carry labels. */
    readonly labelled: boolean,
  ) {}

  /** Opens the index in `dir` (creating it with `create`); DataError when it is not one. */
  static async open(dir: string, options: OpenIndexOptions = {}): Promise<VectorIndex> {
    const fn = 'VectorIndex.open';
    const name = options.table ?? 'images';
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new ConfigError(fn, 'table', `must be letters, digits, _ or -, got ${JSON.stringify(name)}`);
    if (options.create !== undefined && (!Number.isInteger(options.create.dim) || options.create.dim < 1)) {
      throw new ConfigError(fn, 'create.dim', `must be an integer >= 1, got ${options.create.dim}`);
    }
    await checkIndexFolder(dir, fn, options.create === undefined);
    const { lancedb, arrow } = await loadLanceDb(fn);
    let conn: Connection;
    try {
      conn = await lancedb.connect(dir);
    } catch (err) {
      throw new DataError(fn, dir, `could not be opened as a LanceDB index (${(err as Error).message.split('\n')[0]})`);
    }
    let table: Table;
    const names = await conn.tableNames();
    if (!names.includes(name)) {
      if (options.create === undefined) {
        conn.close();
        throw new DataError(
          fn,
          dir,
          `is not an index made by \`contrastive index\`: it has no table '${name}'${names.length > 0 ? ` (tables: ${names.join(', ')}; pass --table)` : ''}`,
        );
      }
      const { dim, labelled } = options.create;
      const schema = new arrow.Schema([
        new arrow.Field('id', new arrow.Utf8(), false),
        new arrow.Field('path', new arrow.Utf8(), false),
        ...(labelled ? [new arrow.Field('label', new arrow.Int32(), true)] : []),
        new arrow.Field('vector', new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true)), false),
        new arrow.Field('run', new arrow.Utf8(), false),
      ]);
      // two processes may create it at once: existOk opens the winner's table
      table = await retry(() => conn.createEmptyTable(name, schema, { mode: 'create', existOk: true }));
    } else {
      table = await conn.openTable(name);
    }
    const schema = await table.schema();
    const vec = schema.fields.find((f) => f.name === 'vector');
    const dim = (vec?.type as { listSize?: number } | undefined)?.listSize;
    if (schema.fields.find((f) => f.name === 'id') === undefined || dim === undefined) {
      conn.close();
      throw new DataError(fn, dir, `table '${name}' is not an index made by \`contrastive index\` (no id and fixed-size vector columns)`);
    }
    const labelled = schema.fields.some((f) => f.name === 'label');
    if (options.create !== undefined && (options.create.dim !== dim || options.create.labelled !== labelled)) {
      conn.close();
      throw new DataError(
        fn,
        dir,
        `table '${name}' holds ${dim}-d vectors${labelled ? ' with labels' : ''}, not the ${options.create.dim}-d${options.create.labelled ? ' labelled' : ''} rows being added: use another --table or --db`,
      );
    }
    const index = new VectorIndex(dir, name, conn, table, dim, labelled);
    await index.refresh();
    return index;
  }

  /** Number of rows. */
  async count(): Promise<number> {
    await this.table.checkoutLatest();
    return this.table.countRows();
  }

  /** Every id in the table. */
  async ids(): Promise<Set<string>> {
    await this.table.checkoutLatest();
    const rows = await this.table.query().select(['id']).toArray();
    return new Set(rows.map((r: { id: string }) => r.id));
  }

  /** Adds rows whose id is not in the table yet (others are left as they are); returns how many were given. */
  async add(rows: readonly IndexRow[]): Promise<number> {
    const fn = 'VectorIndex.add';
    if (rows.length === 0) return 0;
    for (const r of rows) {
      if (r.vector.length !== this.dim)
        throw new ShapeError(
          fn,
          'rows',
          `must hold ${this.dim}-d vectors (this index's width), got ${r.vector.length} values for '${r.id}'`,
        );
      if (!r.vector.every(Number.isFinite)) throw new DataError(fn, r.id, 'has a non-finite vector');
    }
    const { lancedb } = await loadLanceDb(fn);
    const schema = await this.table.schema();
    const records = rows.map((r) => ({
      id: r.id,
      path: r.path,
      ...(this.labelled ? { label: r.label ?? null } : {}),
      vector: Array.from(r.vector),
      run: r.run,
    }));
    const data = lancedb.makeArrowTable(records, { schema });
    await retry(() => this.table.mergeInsert('id').whenNotMatchedInsertAll().execute(data));
    return rows.length;
  }

  /** Removes the rows with these ids. */
  async remove(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      await retry(() => this.table.delete(`id IN (${part.map(sql).join(', ')})`));
    }
  }

  /** The stored vector and file path of `id`, or undefined. */
  async row(id: string): Promise<{ vector: Float32Array; path: string } | undefined> {
    await this.table.checkoutLatest();
    const rows = await this.table
      .query()
      .where(`id = ${sql(id)}`)
      .select(['vector', 'path'])
      .limit(1)
      .toArray();
    return rows.length === 0 ? undefined : { vector: Float32Array.from(rows[0].vector as ArrayLike<number>), path: rows[0].path as string };
  }

  /** The stored vector of `id`, or undefined. */
  async vectorOf(id: string): Promise<Float32Array | undefined> {
    return (await this.row(id))?.vector;
  }

  /** The row whose file is `path`, if any (a query image that is itself in the index). */
  async idOfPath(path: string): Promise<string | undefined> {
    const rows = await this.table
      .query()
      .where(`path = ${sql(path)}`)
      .select(['id'])
      .limit(1)
      .toArray();
    return rows.length === 0 ? undefined : (rows[0].id as string);
  }

  /** The k nearest rows to `query` (`[dim]`, a Float32Array or a 1-D/`[1, dim]` tensor) by cosine distance. */
  async search(query: Float32Array | tf.Tensor, options: SearchOptions = {}): Promise<Neighbour[]> {
    const fn = 'VectorIndex.search';
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1) throw new ConfigError(fn, 'k', `must be an integer >= 1, got ${k}`);
    let v: Float32Array;
    if (query instanceof tf.Tensor) {
      if (query.size !== this.dim || (query.rank !== 1 && !(query.rank === 2 && query.shape[0] === 1))) {
        throw new ShapeError(fn, 'query', `must have shape [${this.dim}] (this index's width), got [${query.shape.join(', ')}]`);
      }
      v = Float32Array.from(query.dataSync());
    } else {
      v = query;
    }
    if (v.length !== this.dim)
      throw new ShapeError(
        fn,
        'query',
        `must have ${this.dim} values (the index holds ${this.dim}-d vectors, from another encoder width?), got ${v.length}`,
      );
    let q = this.table
      .vectorSearch(v)
      .distanceType('cosine')
      .select(['id', 'path', ...(this.labelled ? ['label'] : []), '_distance'])
      .limit(k + (options.exclude !== undefined ? 1 : 0));
    // IVF-PQ: 50 of about sqrt(N) partitions, then exact distances for 10k candidates
    if (this.hasAnn) q = q.nprobes(50).refineFactor(10);
    const rows = await q.toArray();
    const out: Neighbour[] = [];
    for (const r of rows) {
      if (r.id === options.exclude) continue;
      out.push({
        id: r.id,
        path: r.path,
        distance: Math.max(0, r._distance),
        ...(this.labelled && r.label !== null && r.label !== undefined ? { label: r.label } : {}),
      });
      if (out.length === k) break;
    }
    return out;
  }

  private hasAnn = false;

  /**
   * Builds an IVF-PQ index on the vectors once there are `threshold` rows (or folds new rows
   * into an existing one). Returns what it did.
   */
  async optimize(threshold = DEFAULT_ANN_THRESHOLD): Promise<'built' | 'updated' | 'none'> {
    const { lancedb } = await loadLanceDb('VectorIndex.optimize');
    const n = await this.count();
    const existing = (await this.table.listIndices()).some((i) => i.columns.includes('vector'));
    this.hasAnn = existing;
    if (existing) {
      await retry(() => this.table.optimize());
      return 'updated';
    }
    if (n < threshold) return 'none';
    const numSubVectors = [16, 8, 4, 2, 1].find((s) => this.dim % s === 0 && this.dim / s >= 4) ?? 1;
    await this.table.createIndex('vector', {
      config: lancedb.Index.ivfPq({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(Math.sqrt(n))), numSubVectors }),
    });
    this.hasAnn = true;
    return 'built';
  }

  /** Whether an ANN index is in use (after `optimize` or `refresh`). */
  async refresh(): Promise<void> {
    this.hasAnn = (await this.table.listIndices()).some((i) => i.columns.includes('vector'));
  }

  close(): void {
    this.table.close();
    this.conn.close();
  }
}
