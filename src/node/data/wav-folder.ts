/**
 * A folder of WAV clips named by a pattern (FSDD: `{digit}_{speaker}_{index}.wav`). The first
 * field other than the split field is the label; the other fields become `extraLabels`
 * (FSDD: `speaker`). Clips are read and parsed when asked for (nothing is held in memory), so
 * large folders stream. Samples are `[T, 1]` in [-1, 1], T varying (`sampleShape [-1, 1]`).
 */
import { basename, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { LazyDataset } from '../../data/lazy-dataset.js';
import { parseWav } from '../../data/wav.js';
import { compileFileNamePattern } from '../../data/file-name-pattern.js';
import { labelSetFromValues } from '../../data/label-set.js';
import type { LabelSet } from '../../data/dataset.js';
import { ConfigError, DataError } from '../../errors.js';
import { listDir, pathKind, readBytes } from './read-bytes.js';

export interface LoadWavFolderOptions {
  /** File-name pattern with `{field}`s. @default '{digit}_{speaker}_{index}.wav' (FSDD) */
  pattern?: string;
  /** The field that is the class label. @default the first field of the pattern */
  labelField?: string;
  /**
   * Keep one split: `test` is the files whose `splitField` is an integer < `testBelow`,
   * `train` the rest; undefined keeps every file. @default undefined
   */
  split?: 'train' | 'test';
  /** @default 'index' (FSDD's official split: index 0-4 is the test set) */
  splitField?: string;
  /** @default 5 */
  testBelow?: number;
  /** @default `<folder name>[:<split>]` */
  name?: string;
}

export interface WavFolderDataset extends LazyDataset {
  /** Sample rate of the clips (all must share it). */
  readonly sampleRate: number;
  /** The file of each sample. */
  readonly files: readonly string[];
}

export async function loadWavFolder(path: string, options: LoadWavFolderOptions = {}): Promise<WavFolderDataset> {
  const fn = 'loadWavFolder';
  const { pattern = '{digit}_{speaker}_{index}.wav', split, splitField = 'index', testBelow = 5 } = options;
  const compiled = compileFileNamePattern(pattern);
  const labelField = options.labelField ?? compiled.fields.find((f) => f !== splitField) ?? compiled.fields[0]!;
  if (!compiled.fields.includes(labelField)) throw new ConfigError(fn, 'labelField', `must be a field of the pattern ${JSON.stringify(pattern)}, got ${JSON.stringify(labelField)}`);
  if (split !== undefined && !compiled.fields.includes(splitField)) {
    throw new ConfigError(fn, 'splitField', `must be a field of the pattern ${JSON.stringify(pattern)} to split, got ${JSON.stringify(splitField)}`);
  }
  if ((await pathKind(path)) !== 'dir') throw new DataError(fn, path, (await pathKind(path)) === undefined ? 'does not exist' : 'must be a folder of .wav files');
  let dir = path;
  let names = (await listDir(dir, fn)).filter((n) => n.toLowerCase().endsWith('.wav'));
  // FSDD's repository keeps the clips in recordings/.
  if (names.length === 0 && (await pathKind(join(path, 'recordings'))) === 'dir') {
    dir = join(path, 'recordings');
    names = (await listDir(dir, fn)).filter((n) => n.toLowerCase().endsWith('.wav'));
  }
  if (names.length === 0) throw new DataError(fn, path, 'has no .wav files');
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const rows: { file: string; fields: Record<string, string> }[] = [];
  for (const n of names) {
    const fields = compiled.match(n);
    if (fields === undefined) throw new DataError(fn, join(dir, n), `does not match the file-name pattern ${JSON.stringify(pattern)}`);
    if (split !== undefined) {
      const v = Number(fields[splitField]);
      if (!Number.isInteger(v)) throw new DataError(fn, join(dir, n), `has ${splitField} ${JSON.stringify(fields[splitField])}, expected an integer to split on`);
      if ((v < testBelow) !== (split === 'test')) continue;
    }
    rows.push({ file: join(dir, n), fields });
  }
  if (rows.length === 0) throw new DataError(fn, path, `has no clips in split '${split}'`);
  const labels = labelSetFromValues(rows.map((r) => r.fields[labelField]!), fn, dir);
  const extraLabels: Record<string, LabelSet> = {};
  for (const f of compiled.fields) {
    if (f === labelField || f === splitField) continue;
    extraLabels[f] = labelSetFromValues(rows.map((r) => r.fields[f]!), fn, dir);
  }
  // Parse the first clip now: a folder of unsupported files fails here, not mid-training.
  const first = parseWav(await readBytes(rows[0]!.file, fn), rows[0]!.file);
  const sampleRate = first.sampleRate;
  const ds = new LazyDataset({
    name: options.name ?? `${basename(path)}${split !== undefined ? `:${split}` : ''}`,
    kind: 'sequence',
    size: rows.length,
    sampleShape: [-1, 1],
    dtype: first.bitsPerSample === 8 ? 'uint8' : 'int16',
    labels,
    extraLabels,
    async load(index) {
      const file = rows[index]!.file;
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (err) {
        throw new DataError(fn, file, `could not be read: ${(err as Error).message}`);
      }
      const wav = parseWav(bytes, file);
      if (wav.sampleRate !== sampleRate) throw new DataError(fn, file, `has sample rate ${wav.sampleRate} Hz, expected ${sampleRate} Hz like ${rows[0]!.file}`);
      return { data: wav.samples, shape: [wav.samples.length, 1] };
    },
  });
  return Object.assign(ds, { sampleRate, files: rows.map((r) => r.file) }) as WavFolderDataset;
}
