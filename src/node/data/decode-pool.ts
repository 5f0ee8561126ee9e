/**
 * Image decoding off the main thread: a pool of worker threads, each decoding image files
 * (any format sharp reads) and resizing them to the requested size. Returns HWC float32 pixels in [0, 1].
 *
 * The worker's code is a string evaluated by `new Worker(code, { eval: true })` and sharp is
 * imported by its resolved URL: that works the same from the TypeScript sources (tsx) and from
 * the compiled `dist/`, where a worker file path would differ. Workers are `unref`ed while idle,
 * so an open pool never keeps the process alive; `close()` ends them.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DataError } from '../../errors.js';
import { resolveOptionalPeer } from '../optional-peer.js';

export interface DecodeRequest {
  file: string;
  height: number;
  width: number;
  /** 1: grey (luminance), 3: RGB. */
  channels: 1 | 3;
  /**
   * `crop`: scale the shorter side to fit, then cut the centre (aspect ratio kept); `pad`: scale
   * the longer side to fit, black borders; `fill`: stretch to the size. @default 'crop'
   */
  resize?: ResizeMode;
}

export type ResizeMode = 'crop' | 'pad' | 'fill';
export const RESIZE_MODES: readonly ResizeMode[] = ['crop', 'pad', 'fill'];

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { readFile } = require('node:fs/promises');
const sharpReady = import(workerData.sharpUrl).then((m) => {
  const sharp = m.default;
  sharp.cache(false); // hold no decoded images between requests
  return sharp;
});
// At most workerData.maxActive images are decoded at once; the rest wait as file names, so a
// batch of large photos never holds more than that many full-size images in memory.
const queue = [];
let active = 0;
function pump() {
  while (active < workerData.maxActive && queue.length > 0) {
    active++;
    decode(queue.shift()).finally(() => {
      active--;
      pump();
    });
  }
}
async function decode(req) {
  try {
    const sharp = await sharpReady;
    const input = await readFile(req.file);
    // 'truncated': a file cut short is an error, not an image with a grey bottom half
    const fit = req.resize === 'fill' ? 'fill' : req.resize === 'pad' ? 'contain' : 'cover';
    let img = sharp(input, { failOn: 'truncated' })
      .rotate() // EXIF orientation
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .resize(req.width, req.height, { fit, position: 'centre', background: { r: 0, g: 0, b: 0 } });
    img = req.channels === 1 ? img.greyscale() : img.toColourspace('srgb');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    // float32 in [0, 1] made here, off the main thread
    const n = req.width * req.height;
    const out = new Float32Array(n * req.channels);
    const c = info.channels;
    for (let p = 0; p < n; p++) {
      for (let k = 0; k < req.channels; k++) out[p * req.channels + k] = data[p * c + Math.min(k, c - 1)] / 255;
    }
    parentPort.postMessage({ id: req.id, data: out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: req.id, error: String((err && err.message) || err) });
  }
}
parentPort.on('message', (req) => {
  queue.push(req);
  pump();
});
`;

interface Pending {
  resolve(data: Float32Array): void;
  reject(err: Error): void;
  file: string;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Worker threads by default: one less than the cores (the main thread trains), 1..4. */
export function defaultDecodeWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export class DecodePool {
  readonly size: number;
  private slots: (Slot | undefined)[];
  private nextId = 0;
  private closed = false;

  /** Images decoded at once in each worker (the others wait as file names). */
  readonly perWorker: number;

  /**
   * `workers`: decoding threads. @default defaultDecodeWorkers()
   * `perWorker`: images decoding at once in one worker. @default 8 (bounds the full-size images
   *   in memory for folders of large photos; throughput vs 2 and 32: BENCHMARKS.md, Data)
   */
  constructor(workers = defaultDecodeWorkers(), perWorker = 8) {
    this.size = workers;
    this.perWorker = perWorker;
    this.slots = new Array<Slot | undefined>(workers).fill(undefined);
  }

  private spawn(i: number): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sharpUrl: resolveOptionalPeer('sharp', 'reading image folders'), maxActive: this.perWorker } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (msg: { id: number; data?: Float32Array; error?: string }) => {
      const p = slot.pending.get(msg.id);
      if (p === undefined) return;
      slot.pending.delete(msg.id);
      if (slot.pending.size === 0) worker.unref();
      if (msg.error !== undefined) p.reject(new DataError('decodeImage', p.file, `is not a readable image: ${msg.error}`));
      else p.resolve(msg.data!);
    });
    const fail = (err: Error): void => {
      for (const p of slot.pending.values()) p.reject(new DataError('decodeImage', p.file, `could not be decoded: the worker thread failed (${err.message})`));
      slot.pending.clear();
      if (this.slots[i] === slot) this.slots[i] = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    worker.unref();
    this.slots[i] = slot;
    return slot;
  }

  /** Decodes and resizes one file. Rejects with a DataError naming the file. */
  decode(req: DecodeRequest): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new DataError('decodeImage', req.file, 'cannot be decoded: the dataset was closed'));
    // The least busy worker (spawned on first use).
    let best = 0;
    for (let i = 1; i < this.size; i++) {
      if ((this.slots[i]?.pending.size ?? 0) < (this.slots[best]?.pending.size ?? 0)) best = i;
    }
    const slot = this.slots[best] ?? this.spawn(best);
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, file: req.file });
      slot.worker.ref();
      slot.worker.postMessage({ id, ...req });
    });
  }

  /** Number of decodes in flight (tests check that it stays bounded). */
  get inFlight(): number {
    return this.slots.reduce((a, s) => a + (s?.pending.size ?? 0), 0);
  }

  /** Ends the worker threads; later decodes reject. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.filter((s): s is Slot => s !== undefined);
    this.slots.fill(undefined);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
