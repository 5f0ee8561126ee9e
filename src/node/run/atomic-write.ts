/**
 * Atomic file writes: the data goes to a temporary file beside the target, is flushed to disk
 * (fsync), then renamed over the target. A crash or a full disk leaves either the old file or
 * the new one, never a torn one.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../../errors.js';

/** Writes `data` to `path` atomically. On failure the previous file at `path` is untouched. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let ok = false;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    ok = true;
  } catch (err) {
    throw new DataError('writeFileAtomic', path, `could not be written (${(err as Error).message}); the previous version is kept`);
  } finally {
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  // make the rename itself durable
  try {
    const dh = await open(dirname(path), 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // some file systems refuse fsync on a directory; the data itself is already synced
  }
}
