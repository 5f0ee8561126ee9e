/**
 * Writes embedded rows as `.npy` (vectors `[N, D]` float32, `<base>.labels.npy` int32 `[N]` when
 * labelled, `<base>.ids.txt` one id per line), `.csv` (`id,h0..h{D-1}[,label]`) or `.jsonl`
 * (`{"id", "label"?, "vector"}` per line). Every file is written to a temporary name and renamed.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeNpy } from '../../data/npy.js';
import { ConfigError } from '../../errors.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import type { EmbeddedRows } from './embed-rows.js';

export const EMBED_FORMATS = ['npy', 'csv', 'jsonl'] as const;
export type EmbedFormat = (typeof EMBED_FORMATS)[number];

/** The format named by `out`'s extension, or undefined. */
export function formatOfPath(out: string): EmbedFormat | undefined {
  const m = /\.(npy|csv|jsonl)$/i.exec(out);
  return m === null ? undefined : (m[1]!.toLowerCase() as EmbedFormat);
}

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Writes `rows` to `out` in `format` (default: by extension); returns the files written. */
export async function writeEmbeddings(rows: EmbeddedRows, out: string, format = formatOfPath(out)): Promise<string[]> {
  if (format === undefined || !EMBED_FORMATS.includes(format))
    throw new ConfigError(
      'writeEmbeddings',
      'format',
      `must be one of ${EMBED_FORMATS.join(', ')} (or an --out ending in .npy, .csv or .jsonl), got ${JSON.stringify(format ?? out)}`,
    );
  const { ids, labels, vectors, dim } = rows;
  const n = ids.length;
  await mkdir(dirname(out), { recursive: true });
  if (format === 'npy') {
    const base = out.replace(/\.npy$/i, '');
    const files = [out, `${base}.ids.txt`];
    await writeFileAtomic(out, encodeNpy(vectors, [n, dim]));
    await writeFileAtomic(files[1]!, ids.map((id) => id.replace(/[\r\n]/g, ' ')).join('\n') + (n > 0 ? '\n' : ''));
    if (labels !== undefined) {
      files.push(`${base}.labels.npy`);
      await writeFileAtomic(files[2]!, encodeNpy(labels, [n]));
    }
    return files;
  }
  const lines: string[] = [];
  if (format === 'csv') lines.push(['id', ...Array.from({ length: dim }, (_, j) => `h${j}`), ...(labels ? ['label'] : [])].join(','));
  for (let i = 0; i < n; i++) {
    const v = Array.from(vectors.subarray(i * dim, (i + 1) * dim));
    if (format === 'csv') lines.push([csvField(ids[i]!), ...v.map(String), ...(labels ? [String(labels[i])] : [])].join(','));
    else lines.push(JSON.stringify({ id: ids[i], ...(labels ? { label: labels[i] } : {}), vector: v }));
  }
  await writeFileAtomic(out, lines.join('\n') + (lines.length > 0 ? '\n' : ''));
  return [out];
}
