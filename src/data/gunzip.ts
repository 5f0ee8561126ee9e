/**
 * gzip decompression where no zlib is at hand (browsers: fetch a bundled `.gz`, then parse).
 * Uses the standard `DecompressionStream('gzip')` (browsers, Node >= 18). Bytes that do not start
 * with the gzip magic 1f 8b are returned as they are.
 */
import { DataError } from '../errors.js';

/** `bytes` decompressed when gzip, else unchanged. `file` names it in errors. */
export async function maybeGunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new DataError('maybeGunzip', file, `is a corrupt or truncated gzip file (${(err as Error).message})`);
  }
}
