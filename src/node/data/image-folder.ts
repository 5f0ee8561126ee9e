/**
 * An image folder: one subfolder per class (`root/<class>/<image>.png|jpg|jpeg`), class ids in
 * sorted subfolder order. With `split`, `root/train/` or `root/test/` is used when present.
 * Images are decoded with sharp in worker threads when asked for, and resized to `imageSize`
 * (grey or RGB). Nothing decoded is kept: the dataset holds only file names, a `getBatch` holds
 * its own batch, and `batches()` fetches at most `prefetch` batches ahead, so memory is bounded
 * however large the folder. The decodes of one batch are all posted to the workers at once, so
 * they proceed while a synchronous training step holds the main thread.
 */
import { basename, join } from 'node:path';
import { LazyDataset } from '../../data/lazy-dataset.js';
import { ConfigError, DataError } from '../../errors.js';
import { DecodePool, defaultDecodeWorkers } from './decode-pool.js';
import { listDir, pathKind } from './read-bytes.js';

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

export interface LoadImageFolderOptions {
  /** Output size, `[height, width]` or one number for a square. @default 32 (CIFAR's size) */
  imageSize?: number | readonly [number, number];
  /** 1: grey, 3: RGB. @default 3 */
  channels?: 1 | 3;
  /** Use `<root>/train` or `<root>/test` when they exist; `train` without them uses the root. */
  split?: 'train' | 'test';
  /** Decoding threads. @default one less than the cores, 1..4 */
  workers?: number;
  /** Images decoded at once in one worker; the rest of a batch waits as file names. @default 8 */
  decodesPerWorker?: number;
  /** @default `<folder name>[:<split>]` */
  name?: string;
}

export interface ImageFolderDataset extends LazyDataset {
  /** The file of each sample. */
  readonly files: readonly string[];
  readonly pool: DecodePool;
}

export async function loadImageFolder(path: string, options: LoadImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const fn = 'loadImageFolder';
  const { imageSize = 32, channels = 3, split, workers = defaultDecodeWorkers(), decodesPerWorker = 8 } = options;
  const [height, width] = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
  for (const [arg, v] of [['imageSize', height], ['imageSize', width], ['workers', workers], ['decodesPerWorker', decodesPerWorker]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(fn, arg, `must be an integer >= 1, got ${v}`);
  }
  if (channels !== 1 && channels !== 3) throw new ConfigError(fn, 'channels', `must be 1 or 3, got ${channels}`);
  const kind = await pathKind(path);
  if (kind !== 'dir') throw new DataError(fn, path, kind === undefined ? 'does not exist' : 'must be a folder with one subfolder per class');
  let root = path;
  if (split !== undefined) {
    if ((await pathKind(join(path, split))) === 'dir') root = join(path, split);
    else if (split === 'test') throw new DataError(fn, path, "has no test/ subfolder for split 'test' (expected <root>/train/<class>/ and <root>/test/<class>/)");
  }
  const classes: string[] = [];
  for (const n of await listDir(root, fn)) {
    if (!n.startsWith('.') && (await pathKind(join(root, n))) === 'dir') classes.push(n);
  }
  if (classes.length === 0) throw new DataError(fn, root, 'has no class subfolders (expected <root>/<class>/<image>.png)');
  const files: string[] = [];
  const labels: number[] = [];
  for (const [c, name] of classes.entries()) {
    for (const f of await listDir(join(root, name), fn)) {
      if (IMAGE_EXTENSIONS.test(f) && !f.startsWith('.')) {
        files.push(join(root, name, f));
        labels.push(c);
      }
    }
  }
  if (files.length === 0) throw new DataError(fn, root, 'has no .png/.jpg/.jpeg files in its class subfolders');
  const pool = new DecodePool(workers, decodesPerWorker);
  const ds = new LazyDataset({
    name: options.name ?? `${basename(path)}${split !== undefined ? `:${split}` : ''}`,
    kind: 'image',
    size: files.length,
    sampleShape: [height, width, channels],
    dtype: 'uint8',
    labels: { values: Int32Array.from(labels), classNames: classes },
    // Every decode of a batch is posted at once: the workers then keep decoding while a
    // synchronous training step blocks the main thread (what is in flight is that one batch).
    concurrency: Number.POSITIVE_INFINITY,
    async load(index) {
      const data = await pool.decode({ file: files[index]!, height, width, channels });
      return { data, shape: [height, width, channels] };
    },
    close: () => pool.close(),
  });
  return Object.assign(ds, { files, pool }) as ImageFolderDataset;
}
