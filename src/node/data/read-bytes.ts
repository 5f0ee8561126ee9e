/**
 * Reading data files: whole files as bytes, gunzipped when they start with the gzip magic
 * (1f 8b). Every failure is a DataError naming the function and the file.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DataError } from '../../errors.js';

const gunzipAsync = promisify(gunzip);

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'does not exist';
  if (e.code === 'EACCES') return 'is not readable (permission denied)';
  if (e.code === 'EISDIR') return 'is a folder, expected a file';
  if (e.code === 'ENOTDIR') return 'is a file, expected a folder';
  return `could not be read: ${e.message}`;
}

/** The bytes of `path`, decompressed when gzip; an empty file is a DataError. */
export async function readBytes(path: string, fn: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new DataError(fn, path, reason(err));
  }
  if (raw.length === 0) throw new DataError(fn, path, 'is empty (0 bytes)');
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    let out: Buffer;
    try {
      out = await gunzipAsync(raw);
    } catch (err) {
      throw new DataError(fn, path, `is a corrupt or truncated gzip file (${(err as Error).message})`);
    }
    if (out.length === 0) throw new DataError(fn, path, 'is empty after decompression (0 bytes)');
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

/** The text of `path` (UTF-8, gunzipped when gzip). */
export async function readText(path: string, fn: string): Promise<string> {
  return new TextDecoder('utf-8').decode(await readBytes(path, fn));
}

/** Names in folder `dir`, sorted; DataError when it is missing or not a folder. */
export async function listDir(dir: string, fn: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    throw new DataError(fn, dir, reason(err));
  }
}

/** 'file', 'dir' or undefined when `path` does not exist. */
export async function pathKind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}
