/**
 * Reading a POSIX (ustar) tar archive held in memory: regular files only, as needed to unpack
 * `cifar-10-binary.tar.gz`. Layout: 512-byte headers (name at 0, octal size at 124, type at 156,
 * ustar prefix at 345), each file's data padded to 512 bytes, two zero blocks at the end.
 */
import { DataError } from '../../errors.js';

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

const text = (b: Uint8Array, at: number, len: number): string => {
  const end = b.subarray(at, at + len).indexOf(0);
  return new TextDecoder('utf-8').decode(b.subarray(at, end < 0 ? at + len : at + end));
};

/** The regular files of a tar archive. `file` names the archive in errors. */
export function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const out: TarEntry[] = [];
  let at = 0;
  while (at + 512 <= bytes.length) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = text(bytes, at, 100);
    const prefix = text(bytes, at + 257, 6).startsWith('ustar') ? text(bytes, at + 345, 155) : '';
    const sizeText = text(bytes, at + 124, 12).trim();
    const size = parseInt(sizeText, 8);
    if (!Number.isFinite(size) || size < 0) throw new DataError('readTar', file, `has a bad size field ${JSON.stringify(sizeText)} in the header at offset ${at}`);
    const type = String.fromCharCode(bytes[at + 156]!);
    const start = at + 512;
    if (start + size > bytes.length) throw new DataError('readTar', file, `is truncated: entry ${JSON.stringify(name)} at offset ${at} declares ${size} bytes, only ${bytes.length - start} remain`);
    if (type === '0' || type === '\0') {
      out.push({ path: prefix === '' ? name : `${prefix}/${name}`, data: bytes.subarray(start, start + size) });
    }
    at = start + Math.ceil(size / 512) * 512;
  }
  return out;
}
