/**
 * An image folder: every image under `root`, recursively (jpg, png, webp, gif, tiff, avif), with
 * class ids from its subfolders when they hold all images (see listImages; `labels` overrides).
 * With `split`, `root/train/` or `root/test/` is used when present.
 *
 * Images are decoded with sharp in worker threads when asked for, and resized to `imageSize`
 * (grey or RGB) keeping the aspect ratio by default (`resize: 'crop'`). The dataset holds file
 * names and a byte-bounded cache of decoded samples (`cacheBytes`): a small folder is decoded
 * once, a large one streams, so 100k files are never decoded at once. The decodes of one batch
 * are all posted to the workers at once, so they proceed while a training step holds the main
 * thread.
 *
 * A file that cannot be decoded (corrupt, truncated, not really an image) is skipped by default:
 * it is recorded in `skipped` and the next readable file stands in for it in that batch, so a
 * training run never stops on one bad file. Consumers that need one row per file (embed, index)
 * drop the rows in `skipped` afterwards. `onUnreadable: 'throw'` rejects instead.
 */
import { basename, join } from 'node:path';
import { LazyDataset } from '../../data/lazy-dataset.js';
import { SampleCache } from '../../data/sample-cache.js';
import { ConfigError, DataError } from '../../errors.js';
import { DecodePool, RESIZE_MODES, defaultDecodeWorkers, type ResizeMode } from './decode-pool.js';
import { listImages, LABEL_MODES, type LabelMode, type SkippedFile } from './list-images.js';
import { pathKind } from './read-bytes.js';

export interface LoadImageFolderOptions {
  /** Output size, `[height, width]` or one number for a square. @default 32 (CIFAR's size) */
  imageSize?: number | readonly [number, number];
  /** 1: grey, 3: RGB. @default 3 */
  channels?: 1 | 3;
  /** Use `<root>/train` or `<root>/test` when they exist; `train` without them uses the root. */
  split?: 'train' | 'test';
  /** Class subfolders as labels: `auto` when they hold every image, or forced. @default 'auto' */
  labels?: LabelMode;
  /** `crop` (shorter side, centre crop), `pad` (letterbox) or `fill` (stretch). @default 'crop' (aspect ratio kept, torchvision's Resize + CenterCrop) */
  resize?: ResizeMode;
  /** Bytes of decoded samples kept between batches. @default 256 MB (5,000 CIFAR-size images take 61 MB) */
  cacheBytes?: number;
  /** A file that fails to decode: `skip` it (recorded in `skipped`) or `throw`. @default 'skip' */
  onUnreadable?: 'skip' | 'throw';
  /** Decoding threads. @default one less than the cores, 1..4 */
  workers?: number;
  /** Images decoded at once in one worker; the rest of a batch waits as file names. @default 8 */
  decodesPerWorker?: number;
  /** @default `<folder name>[:<split>]` */
  name?: string;
  /** Where the one line about labels goes (the CLI passes stderr). @default nowhere */
  log?: (line: string) => void;
}

export interface ImageFolderDataset extends LazyDataset {
  /** The folder the ids are relative to (the split folder when one was used). */
  readonly root: string;
  /** The file of each sample (absolute). */
  readonly files: readonly string[];
  /** Each sample's path relative to `root`, forward slashes. */
  readonly ids: readonly string[];
  /** Files left out: other file types when listed, unreadable images as they are met. */
  readonly skipped: SkippedFile[];
  /** Sample indices found unreadable so far. */
  readonly unreadable: ReadonlySet<number>;
  readonly pool: DecodePool;
}

export async function loadImageFolder(path: string, options: LoadImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const fn = 'loadImageFolder';
  const { imageSize = 32, channels = 3, split, workers = defaultDecodeWorkers(), decodesPerWorker = 8, labels = 'auto', resize = 'crop', cacheBytes = 256e6, onUnreadable = 'skip' } = options;
  const [height, width] = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
  for (const [arg, v] of [['imageSize', height], ['imageSize', width], ['workers', workers], ['decodesPerWorker', decodesPerWorker]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(fn, arg, `must be an integer >= 1, got ${v}`);
  }
  if (channels !== 1 && channels !== 3) throw new ConfigError(fn, 'channels', `must be 1 or 3, got ${channels}`);
  if (!LABEL_MODES.includes(labels)) throw new ConfigError(fn, 'labels', `must be one of ${LABEL_MODES.join(', ')}, got ${JSON.stringify(labels)}`);
  if (!RESIZE_MODES.includes(resize)) throw new ConfigError(fn, 'resize', `must be one of ${RESIZE_MODES.join(', ')}, got ${JSON.stringify(resize)}`);
  if (onUnreadable !== 'skip' && onUnreadable !== 'throw') throw new ConfigError(fn, 'onUnreadable', `must be skip or throw, got ${JSON.stringify(onUnreadable)}`);
  const cache = new SampleCache(cacheBytes);
  const kind = await pathKind(path);
  if (kind !== 'dir') throw new DataError(fn, path, kind === undefined ? 'does not exist' : 'must be a folder of images');
  let root = path;
  if (split !== undefined) {
    if ((await pathKind(join(path, split))) === 'dir') root = join(path, split);
    else if (split === 'test') throw new DataError(fn, path, "has no test/ subfolder for split 'test' (expected <root>/train/ and <root>/test/)");
  }
  const listing = await listImages(root, labels, fn);
  options.log?.(`${root}: ${listing.note}${listing.skipped.length > 0 ? `; ${listing.skipped.length} other files skipped` : ''}`);
  const { files, ids } = listing;
  const skipped: SkippedFile[] = [...listing.skipped];
  const unreadable = new Set<number>();
  const pool = new DecodePool(workers, decodesPerWorker);
  const decode = async (index: number): Promise<Float32Array> => {
    const hit = cache.get(index);
    if (hit !== undefined) return hit.slice();
    const data = await pool.decode({ file: files[index]!, height, width, channels, resize });
    cache.set(index, data.slice());
    return data;
  };
  const ds = new LazyDataset({
    name: options.name ?? `${basename(path)}${split !== undefined ? `:${split}` : ''}`,
    kind: 'image',
    size: files.length,
    sampleShape: [height, width, channels],
    dtype: 'uint8',
    ...(listing.labels !== undefined ? { labels: { values: listing.labels, classNames: listing.classNames! } } : {}),
    // Every decode of a batch is posted at once: the workers then keep decoding while a
    // synchronous training step blocks the main thread (what is in flight is that one batch).
    concurrency: Number.POSITIVE_INFINITY,
    async load(index) {
      // An unreadable file: the next readable one stands in (recorded once in `skipped`).
      for (let k = 0; k < files.length; k++) {
        const i = (index + k) % files.length;
        if (unreadable.has(i)) continue;
        try {
          return { data: await decode(i), shape: [height, width, channels] };
        } catch (err) {
          if (onUnreadable === 'throw' || !(err instanceof DataError)) throw err;
          if (!unreadable.has(i)) {
            unreadable.add(i);
            skipped.push({ id: ids[i]!, reason: err.message.slice(err.message.indexOf('` ') + 2) });
          }
        }
      }
      throw new DataError(fn, root, `has no readable image (all ${files.length} failed to decode; see skipped)`);
    },
    close: () => pool.close(),
  });
  return Object.assign(ds, { root, files, ids, skipped, unreadable, pool }) as ImageFolderDataset;
}
