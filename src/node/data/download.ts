/**
 * `contrastive data download mnist|fashion-mnist|cifar10`: fetches the public datasets from
 * their canonical hosts and checks each file's SHA-256. A file already in place is verified,
 * not fetched again. Where no host can be reached, the error says which files to place where.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError, ConfigError } from '../../errors.js';
import { downloadCacheDir } from './paths.js';
import { readTar } from './tar.js';

export interface DownloadFile {
  name: string;
  /** SHA-256 of the file as served. */
  sha256: string;
  /** SHA-256 of its gunzipped content: accepts a copy recompressed elsewhere (Debian's Fashion-MNIST). */
  rawSha256?: string;
}

export interface DownloadEntry {
  /** Base URLs tried in order; a file's URL is base + name. */
  mirrors: string[];
  files: DownloadFile[];
  /** Archives to unpack after download (`cifar-10-binary.tar.gz` -> `cifar-10-batches-bin/`). */
  unpack?: { archive: string; folder: string; expect: string[] };
}

export const DOWNLOADS = {
  // MNIST: PyTorch's mirror first (yann.lecun.com often refuses scripted downloads), then the original.
  mnist: {
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://yann.lecun.com/exdb/mnist/'],
    files: [
      { name: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
      { name: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
      { name: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
      { name: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
    ],
  },
  // Fashion-MNIST: the hosts named in github.com/zalandoresearch/fashion-mnist's README.
  'fashion-mnist': {
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/', 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/'],
    files: [
      { name: 'train-images-idx3-ubyte.gz', sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84', rawSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
      { name: 'train-labels-idx1-ubyte.gz', sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845', rawSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
      { name: 't10k-images-idx3-ubyte.gz', sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073', rawSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
      { name: 't10k-labels-idx1-ubyte.gz', sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5', rawSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
    ],
  },
  // CIFAR-10 binary version, from the author's page https://www.cs.toronto.edu/~kriz/cifar.html.
  cifar10: {
    mirrors: ['https://www.cs.toronto.edu/~kriz/'],
    files: [{ name: 'cifar-10-binary.tar.gz', sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' }],
    unpack: {
      archive: 'cifar-10-binary.tar.gz',
      folder: 'cifar-10-batches-bin',
      expect: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin', 'batches.meta.txt'],
    },
  },
} satisfies Record<string, DownloadEntry>;

export type DownloadName = keyof typeof DOWNLOADS;
export const DOWNLOAD_NAMES = Object.keys(DOWNLOADS) as DownloadName[];

export interface DownloadOptions {
  /** Target folder. @default `<download cache>/<name>` (CONTRASTIVE_CACHE or ~/.cache/contrastive) */
  dir?: string;
  /** The fetch to use (tests inject one that fails). @default globalThis.fetch */
  fetch?: (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  /** Replaces the entry's mirrors (tests point at an unreachable host). */
  mirrors?: string[];
  /** Per-request time limit. @default 120000 ms */
  timeoutMs?: number;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

export interface DownloadResult {
  dir: string;
  files: { name: string; status: 'present' | 'downloaded'; path: string }[];
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Whether `bytes` is the file `f` (as served, or its gunzipped content). */
function matches(f: DownloadFile, bytes: Uint8Array): boolean {
  if (sha256(bytes) === f.sha256) return true;
  if (f.rawSha256 === undefined || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return false;
  try {
    return sha256(gunzipSync(bytes)) === f.rawSha256;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Downloads (or verifies in place) dataset `name` into `dir`. */
export async function downloadDataset(name: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const fn = 'downloadDataset';
  if (!(DOWNLOAD_NAMES as string[]).includes(name)) {
    throw new ConfigError(fn, 'name', `must be one of ${DOWNLOAD_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
  const entry: DownloadEntry = DOWNLOADS[name as DownloadName];
  const dir = options.dir ?? join(downloadCacheDir(), name);
  const fetchFn = options.fetch ?? (globalThis.fetch as unknown as NonNullable<DownloadOptions['fetch']>);
  const mirrors = options.mirrors ?? entry.mirrors;
  const log = options.log ?? ((): void => undefined);
  const timeoutMs = options.timeoutMs ?? 120_000;
  await mkdir(dir, { recursive: true }).catch((err: Error) => {
    throw new DataError(fn, dir, `could not be created: ${err.message}`);
  });

  // An unpacked CIFAR folder with every expected file counts as present.
  if (entry.unpack !== undefined) {
    const folder = join(dir, entry.unpack.folder);
    const all = await Promise.all(entry.unpack.expect.map((f) => exists(join(folder, f))));
    if (all.every(Boolean)) {
      log(`${name}: ${folder} is already unpacked`);
      return { dir, files: entry.unpack.expect.map((f) => ({ name: f, status: 'present', path: join(folder, f) })) };
    }
  }

  const result: DownloadResult['files'] = [];
  const failures: string[] = [];
  for (const f of entry.files) {
    const path = join(dir, f.name);
    if (await exists(path)) {
      const bytes = new Uint8Array(await readFile(path));
      if (matches(f, bytes)) {
        log(`${f.name}: present, SHA-256 ok`);
        result.push({ name: f.name, status: 'present', path });
        continue;
      }
      log(`${f.name}: present but its SHA-256 is ${sha256(bytes)}, expected ${f.sha256}; fetching again`);
    }
    const tried: string[] = [];
    let done = false;
    for (const base of mirrors) {
      const url = base + f.name;
      log(`${f.name}: fetching ${url}`);
      try {
        const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) {
          tried.push(`${url}: HTTP ${res.status}`);
          continue;
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (!matches(f, bytes)) {
          tried.push(`${url}: SHA-256 ${sha256(bytes)} does not match ${f.sha256}`);
          continue;
        }
        await writeFile(`${path}.part`, bytes);
        await rename(`${path}.part`, path);
        result.push({ name: f.name, status: 'downloaded', path });
        done = true;
        break;
      } catch (err) {
        const e = err as Error & { cause?: Error };
        tried.push(`${url}: ${e.message}${e.cause?.message !== undefined ? ` (${e.cause.message})` : ''}`);
      }
    }
    if (!done) failures.push(`  ${f.name}: ${tried.join('; ')}`);
  }
  if (failures.length > 0) {
    const place = entry.files.map((f) => `  ${join(dir, f.name)}  (sha256 ${f.sha256}, from ${entry.mirrors[0]}${f.name})`).join('\n');
    throw new DataError(fn, name, `could not be downloaded (no internet access?):\n${failures.join('\n')}\n` +
      `Place these files by hand, then run \`contrastive data download ${name}${options.dir !== undefined ? ` --dir ${dir}` : ''}\` again to verify them:\n${place}` +
      (entry.unpack !== undefined ? `\n(or place the unpacked folder: ${join(dir, entry.unpack.folder)}/ with ${entry.unpack.expect.join(', ')})` : ''));
  }
  if (entry.unpack !== undefined) {
    const archive = join(dir, entry.unpack.archive);
    log(`${entry.unpack.archive}: unpacking into ${join(dir, entry.unpack.folder)}`);
    const entries = readTar(gunzipSync(await readFile(archive)), archive);
    for (const e of entries) {
      const parts = e.path.split('/').filter((p) => p !== '' && p !== '.');
      if (parts.includes('..') || parts[0] !== entry.unpack.folder) continue;
      await mkdir(join(dir, ...parts.slice(0, -1)), { recursive: true });
      await writeFile(join(dir, ...parts), e.data);
    }
  }
  return { dir, files: result };
}
