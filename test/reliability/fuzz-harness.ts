/**
 * The fuzz harness shared by `npm run fuzz` (bench/fuzz.ts, the long run) and
 * test/reliability/fuzz.test.ts (a short fixed-seed run plus the saved reproducers).
 *
 * Each format has seed files made from real data (the bundled Fashion-MNIST and digits, the
 * shared CIFAR-10 subset, UCR and FSDD when present) and a `load` that runs the same parser and
 * dataset constructor the file loaders run, then reads one batch. Mutations: bit flips,
 * truncations, extensions, header edits (interesting integers over the first bytes), text edits
 * (separators, signs, NaN, huge numbers) and, for the JSON parts, value swaps inside the JSON.
 * The only outcome allowed besides success is a DataError; anything else, a leaked tensor or an
 * input that takes longer than the time limit is a failure.
 */
import { mkdirSync, readFileSync, existsSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import sharp from 'sharp';
import * as tf from '../../src/tf.js';
import { DataError } from '../../src/errors.js';
import { parseIdx, idxDataset } from '../../src/data/idx.js';
import { parseCifar, cifarDataset } from '../../src/data/cifar.js';
import { parseCsv, csvDataset } from '../../src/data/csv.js';
import { parseUcr, ucrDataset } from '../../src/data/ucr.js';
import { parseWav } from '../../src/data/wav.js';
import { parseNpy, npyDataset } from '../../src/data/npy.js';
import { maybeGunzip } from '../../src/data/gunzip.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/node/run/checkpoint-file.js';
import { loadModel, saveModel } from '../../src/node/run/model-io.js';
import { DecodePool } from '../../src/node/data/decode-pool.js';
import { mlp } from '../../src/models/mlp.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { Checkpoint } from '../../src/train/trainer.js';
import { rng as mulberry } from '../support/tensors.js';

export const root = resolve(import.meta.dirname, '..', '..');
export const sharedData = resolve(root, process.env.CONTRASTIVE_DATA ?? '../shared/data');
export const reproducerDir = join(root, 'test', 'fixtures', 'fuzz');

export interface FuzzTarget {
  /** Format name; reproducers are saved as `<name>-<hash>.bin`. */
  name: string;
  /** Real files (bytes) to mutate. */
  seeds: Uint8Array[];
  /** Parts of the file that are JSON text (checkpoint header, model.json): [start, end) byte ranges, per seed. */
  jsonRange?: (bytes: Uint8Array) => [number, number] | undefined;
  /** Feeds one input to the loader; resolves on success, throws on rejection. */
  load(bytes: Uint8Array): Promise<void>;
}

/** Reads one batch of a dataset: the loader's output must be usable, not only constructed. */
async function touch(ds: Dataset): Promise<void> {
  if (ds.size === 0) return;
  const idx = Int32Array.from({ length: Math.min(4, ds.size) }, (_, i) => i);
  // sequences of varying length (sample shape -1) are fetched one by one (training crops them first)
  if (ds.sampleShape.some((d) => d < 0)) for (const i of idx) await ds.getBatch(Int32Array.of(i));
  else await ds.getBatch(idx);
}

const gz = (p: string): Uint8Array => new Uint8Array(gunzipSync(readFileSync(p)));

/** An IDX file cut to its first `n` items, its count field edited to match: a real, small file. */
function idxPrefix(bytes: Uint8Array, n: number): Uint8Array {
  const rank = bytes[3]!;
  const dims = Array.from({ length: rank }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(4 + 4 * i, false));
  const item = dims.slice(1).reduce((a, b) => a * b, 1);
  const out = bytes.slice(0, 4 + 4 * rank + n * item);
  new DataView(out.buffer).setUint32(4, n, false);
  return out;
}

const textLines = (bytes: Uint8Array, n: number): Uint8Array => {
  const lines = new TextDecoder().decode(bytes).split('\n');
  return new TextEncoder().encode(lines.slice(0, n).join('\n') + '\n');
};

/** The formats; the ones whose real files are only in the shared data are left out when it is absent. */
export async function makeTargets(): Promise<{ targets: FuzzTarget[]; missing: string[]; close: () => Promise<void> }> {
  const targets: FuzzTarget[] = [];
  const missing: string[] = [];
  const bundledFm = join(root, 'data', 'fashion-mnist');

  // IDX: Fashion-MNIST test images (first 20) and labels (first 200), gunzipped as the loader does
  const images = idxPrefix(gz(join(bundledFm, 't10k-images-idx3-ubyte.gz')), 20);
  const labels = idxPrefix(gz(join(bundledFm, 't10k-labels-idx1-ubyte.gz')), 200);
  targets.push({
    name: 'idx',
    seeds: [images, labels],
    async load(bytes) {
      const a = parseIdx(await maybeGunzip(bytes, 'f.idx'), 'f.idx');
      if (a.dims.length === 1) return; // a labels file parses alone
      await touch(idxDataset(a, undefined, { name: 'fuzz' }));
    },
  });

  // CSV: the bundled digits, first 40 rows
  const digits = textLines(gz(join(root, 'data', 'digits', 'digits.csv.gz')), 40);
  targets.push({
    name: 'csv',
    seeds: [digits],
    async load(bytes) {
      const table = parseCsv(new TextDecoder().decode(bytes), 'f.csv', { numClasses: 10 });
      await touch(csvDataset(table, { name: 'fuzz' }));
      await touch(csvDataset(table, { name: 'fuzz', as: 'image' }));
    },
  });

  // NPY: the fixtures (real numpy output, versions 1-3, float64, Fortran order, uint8)
  const npyDir = join(root, 'test', 'fixtures', 'data', 'npy');
  targets.push({
    name: 'npy',
    seeds: readdirSync(npyDir)
      .filter((f) => f.endsWith('.npy'))
      .map((f) => new Uint8Array(readFileSync(join(npyDir, f)))),
    async load(bytes) {
      const a = parseNpy(bytes, 'f.npy');
      if (a.shape.length >= 2) await touch(npyDataset(a, { name: 'fuzz' }));
    },
  });

  // PNG and JPEG: Fashion-MNIST images encoded by sharp, decoded by the image folder's decode pool
  const work = join(tmpdir(), `contrastive-fuzz-${process.pid}-${threadId}`);
  mkdirSync(work, { recursive: true });
  const pool = new DecodePool(1, 1);
  const grey = (i: number): Uint8Array => images.subarray(16 + 784 * i, 16 + 784 * (i + 1));
  let fileNo = 0;
  const decodeTarget = (name: string, ext: string, seeds: Uint8Array[]): FuzzTarget => ({
    name,
    seeds,
    async load(bytes) {
      const f = join(work, `in-${fileNo++ % 4}.${ext}`);
      writeFileSync(f, bytes);
      await pool.decode({ file: f, height: 28, width: 28, channels: 1 });
    },
  });
  const pngs: Uint8Array[] = [];
  const jpgs: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const img = sharp(Buffer.from(grey(i)), { raw: { width: 28, height: 28, channels: 1 } });
    pngs.push(new Uint8Array(await img.clone().png().toBuffer()));
    jpgs.push(new Uint8Array(await img.clone().jpeg({ quality: 90 }).toBuffer()));
  }
  targets.push(decodeTarget('png', 'png', pngs), decodeTarget('jpeg', 'jpg', jpgs));

  // checkpoint: a real one, from an MLP's weights and Adam-like slots
  const net = mlp({ inputDim: 6, hiddenUnits: [5, 4], seed: 1 });
  const tensors: Record<string, tf.Tensor> = {};
  net.weights.forEach((w, i) => (tensors[`w${i}`] = w.read().clone()));
  tensors.count = tf.tensor1d([3, 1], 'int32');
  const ckpt: Checkpoint = {
    epoch: 2,
    stepInEpoch: 1,
    step: 9,
    rng: [1, 2, 3, 4],
    epochRng: [5, 6, 7, 8],
    state: { tensors, meta: { kind: 'simclr', steps: 9 } },
  };
  const ckptBytes = await encodeCheckpoint(ckpt);
  tf.dispose(Object.values(tensors));
  targets.push({
    name: 'checkpoint',
    seeds: [ckptBytes],
    jsonRange: (b) => (b.length >= 12 ? [12, Math.min(b.length, 12 + new DataView(b.buffer, b.byteOffset).getUint32(8, true))] : undefined),
    async load(bytes) {
      const c = decodeCheckpoint(bytes, 'checkpoint.bin');
      tf.dispose(Object.values(c.state.tensors));
    },
  });

  // model.json: a real TF.js layers model folder (the fuzzed file is model.json; weights.bin stays)
  const modelDir = join(work, 'model');
  await saveModel(net, modelDir);
  net.dispose();
  const modelJson = new Uint8Array(readFileSync(join(modelDir, 'model.json')));
  targets.push({
    name: 'model-json',
    seeds: [modelJson],
    jsonRange: (b) => [0, b.length],
    async load(bytes) {
      writeFileSync(join(modelDir, 'model.json'), bytes);
      const m = await loadModel(modelDir);
      m.dispose();
    },
  });

  // CIFAR-10 binary: first 6 records of the shared subset
  const cifar = join(sharedData, 'cifar10-subset', 'test_first1000.bin');
  if (existsSync(cifar)) {
    targets.push({
      name: 'cifar',
      seeds: [new Uint8Array(readFileSync(cifar).subarray(0, 6 * 3073))],
      async load(bytes) {
        await touch(cifarDataset([parseCifar(bytes, 10, 'f.bin')], { name: 'fuzz', variant: 10 }));
      },
    });
  } else missing.push(`cifar (no ${cifar})`);

  // UCR TSV: ECG200, first 12 rows
  const ucr = join(sharedData, 'ucr2018', 'ECG200', 'ECG200_TRAIN.tsv');
  if (existsSync(ucr)) {
    targets.push({
      name: 'ucr',
      seeds: [textLines(new Uint8Array(readFileSync(ucr)), 12)],
      async load(bytes) {
        await touch(ucrDataset(parseUcr(new TextDecoder().decode(bytes), 'f.tsv'), { name: 'fuzz' }));
      },
    });
  } else missing.push(`ucr (no ${ucr})`);

  // WAV: two FSDD clips
  const wavDir = join(sharedData, 'fsdd', 'recordings');
  if (existsSync(join(wavDir, '0_george_0.wav'))) {
    targets.push({
      name: 'wav',
      seeds: ['0_george_0.wav', '7_jackson_3.wav']
        .filter((f) => existsSync(join(wavDir, f)))
        .map((f) => new Uint8Array(readFileSync(join(wavDir, f)))),
      async load(bytes) {
        parseWav(bytes, 'f.wav');
      },
    });
  } else missing.push(`wav (no ${wavDir})`);

  const close = async (): Promise<void> => {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  };
  return { targets, missing, close };
}

// ---------------------------------------------------------------------------------------------
// Mutations

const INTERESTING_U32 = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const TEXT_EDITS = [
  ',',
  '\t',
  '\n',
  '\r\n',
  '-',
  '.',
  'e',
  'E999',
  '-0',
  'NaN',
  'Infinity',
  '1e309',
  '"',
  ' ',
  '',
  '9'.repeat(40),
  '\u0000',
  'é',
];
const JSON_VALUES: unknown[] = [
  null,
  -1,
  0,
  1,
  1.5,
  2 ** 31,
  2 ** 53,
  1e308,
  -1e308,
  '',
  'x',
  [],
  [0],
  [-1],
  [1e9, 1e9],
  {},
  { a: 1 },
  true,
  'float64',
  'int8',
  'string',
];

export type Mutation = 'bitflip' | 'truncate' | 'extend' | 'header' | 'text' | 'json' | 'splice';

/** Makes input `i` for a target from its seeds, deterministically from (seed, i). */
export function mutate(target: FuzzTarget, seed: number, i: number): { bytes: Uint8Array; mutation: Mutation } {
  const r = mulberry((seed * 1_000_003 + i * 7919) >>> 0);
  const int = (n: number): number => Math.floor(r() * n);
  const base = target.seeds[int(target.seeds.length)]!;
  const kinds: Mutation[] = ['bitflip', 'bitflip', 'truncate', 'extend', 'header', 'header', 'text', 'splice'];
  if (target.jsonRange !== undefined) kinds.push('json', 'json', 'json');
  const mutation = kinds[int(kinds.length)]!;
  let b = new Uint8Array(base);
  switch (mutation) {
    case 'bitflip': {
      const flips = 1 + int(8);
      for (let k = 0; k < flips && b.length > 0; k++) b[int(b.length)]! ^= 1 << int(8);
      break;
    }
    case 'truncate':
      b = b.slice(0, r() < 0.5 ? int(Math.min(b.length, 256)) : int(b.length));
      break;
    case 'extend': {
      const extra = new Uint8Array(1 + int(r() < 0.5 ? 16 : 4096));
      const mode = int(3);
      for (let k = 0; k < extra.length; k++) extra[k] = mode === 0 ? 0 : mode === 1 ? int(256) : (b[k % Math.max(1, b.length)] ?? 0);
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      b = out;
      break;
    }
    case 'header': {
      // interesting integers written over the first 64 bytes (magic, counts, sizes, lengths)
      const edits = 1 + int(3);
      for (let k = 0; k < edits; k++) {
        const at = int(Math.min(64, Math.max(1, b.length - 3)));
        const v = INTERESTING_U32[int(INTERESTING_U32.length)]!;
        const width = [1, 2, 4][int(3)]!;
        const le = r() < 0.5;
        for (let j = 0; j < width && at + j < b.length; j++) b[at + j] = (le ? v >>> (8 * j) : v >>> (8 * (width - 1 - j))) & 0xff;
      }
      break;
    }
    case 'text': {
      const s = new TextDecoder().decode(b);
      const edits = 1 + int(4);
      let t = s;
      for (let k = 0; k < edits; k++) {
        const at = int(t.length + 1);
        const del = r() < 0.5 ? int(4) : 0;
        t = t.slice(0, at) + TEXT_EDITS[int(TEXT_EDITS.length)]! + t.slice(at + del);
      }
      b = new TextEncoder().encode(t);
      break;
    }
    case 'splice': {
      // a block of the file copied over another place (repeated records, shifted fields)
      if (b.length > 2) {
        const len = 1 + int(Math.min(512, b.length - 1));
        const from = int(b.length - len + 1);
        const to = int(b.length - len + 1);
        b.copyWithin(to, from, from + len);
      }
      break;
    }
    case 'json': {
      const range = target.jsonRange!(b);
      if (range === undefined) break;
      const [s, e] = range;
      const text = new TextDecoder().decode(b.subarray(s, e));
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        break;
      }
      // collect every (container, key) and replace one value
      const slots: [Record<string, unknown> | unknown[], string | number][] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach((x, k) => (slots.push([v, k]), walk(x)));
        else if (v !== null && typeof v === 'object') {
          for (const k of Object.keys(v)) {
            slots.push([v as Record<string, unknown>, k]);
            walk((v as Record<string, unknown>)[k]);
          }
        }
      };
      walk(doc);
      const edits = 1 + int(2);
      for (let k = 0; k < edits && slots.length > 0; k++) {
        const [c, key] = slots[int(slots.length)]!;
        const v = r() < 0.15 ? undefined : structuredClone(JSON_VALUES[int(JSON_VALUES.length)]);
        if (v === undefined && !Array.isArray(c)) delete (c as Record<string, unknown>)[key as string];
        else (c as Record<string | number, unknown>)[key] = v ?? null;
      }
      const json = new TextEncoder().encode(JSON.stringify(doc));
      const out = new Uint8Array(s + json.length + (b.length - e));
      out.set(b.subarray(0, s));
      out.set(json, s);
      out.set(b.subarray(e), s + json.length);
      if (target.name === 'checkpoint') new DataView(out.buffer).setUint32(8, json.length, true); // keep the header length right
      b = out;
      break;
    }
  }
  return { bytes: b, mutation };
}

// ---------------------------------------------------------------------------------------------
// Running

export interface Failure {
  target: string;
  index: number;
  mutation: Mutation | 'reproducer';
  /** 'error' (not a DataError), 'leak', 'slow' */
  kind: string;
  message: string;
  bytes: Uint8Array;
}

export interface Outcome {
  ok: number;
  dataError: number;
  failures: Failure[];
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(timer));
};

/**
 * Feeds one input. A synchronous parser cannot be interrupted in-process: one that runs past
 * `timeLimitMs` is reported as 'slow' when it returns (the long run also has a watchdog).
 */
export async function feed(
  target: FuzzTarget,
  bytes: Uint8Array,
  timeLimitMs: number,
): Promise<{ result: 'ok' | 'dataError' } | { result: 'fail'; kind: string; message: string }> {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  let res: 'ok' | 'dataError' | 'timeout';
  try {
    res = (await withTimeout(target.load(bytes), timeLimitMs)) === 'timeout' ? 'timeout' : 'ok';
  } catch (err) {
    if (!(err instanceof DataError)) {
      const e = err as Error;
      return {
        result: 'fail',
        kind: 'error',
        message: `${e?.name ?? typeof err}: ${String(e?.message ?? err).split('\n')[0]}\n${(e?.stack ?? '').split('\n').slice(1, 6).join('\n')}`,
      };
    }
    res = 'dataError';
  }
  const ms = performance.now() - t0;
  if (res === 'timeout' || ms > timeLimitMs)
    return { result: 'fail', kind: 'slow', message: `took ${ms.toFixed(0)} ms (limit ${timeLimitMs} ms)` };
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) return { result: 'fail', kind: 'leak', message: `leaked ${leaked} tensor(s)` };
  return { result: res };
}

/** Runs `count` mutated inputs of one target from `seed`. */
export async function fuzzTarget(
  target: FuzzTarget,
  { seed, count, timeLimitMs, onProgress }: { seed: number; count: number; timeLimitMs: number; onProgress?: (done: number) => void },
): Promise<Outcome> {
  const out: Outcome = { ok: 0, dataError: 0, failures: [] };
  for (let i = 0; i < count; i++) {
    const { bytes, mutation } = mutate(target, seed, i);
    const r = await feed(target, bytes, timeLimitMs);
    if (r.result === 'ok') out.ok += 1;
    else if (r.result === 'dataError') out.dataError += 1;
    else if (r.result === 'fail') out.failures.push({ target: target.name, index: i, mutation, kind: r.kind, message: r.message, bytes });
    if (onProgress !== undefined && (i + 1) % 500 === 0) onProgress(i + 1);
  }
  return out;
}

/** Saves a failing input as `test/fixtures/fuzz/<target>-<sha1>.bin` (+ `.txt` with the error). Returns the path. */
export function saveReproducer(f: Failure): string {
  mkdirSync(reproducerDir, { recursive: true });
  const h = createHash('sha1').update(f.bytes).digest('hex').slice(0, 12);
  const p = join(reproducerDir, `${f.target}-${h}.bin`);
  writeFileSync(p, f.bytes);
  writeFileSync(p.replace(/\.bin$/, '.txt'), `${f.target} input ${f.index} (${f.mutation}): ${f.kind}\n${f.message}\n`);
  return p;
}

/** The saved reproducers: [target name, path]. */
export function reproducers(): [string, string][] {
  if (!existsSync(reproducerDir)) return [];
  return readdirSync(reproducerDir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => [f.slice(0, f.lastIndexOf('-')), join(reproducerDir, f)]);
}
