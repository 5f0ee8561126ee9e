/**
 * One way to name data everywhere (CLI `--data`, configs, the API): `<format>:<path>` with a
 * format of `idx`, `cifar`, `folder`, `csv`, `ucr`, `wav`, `npy`, or a dataset name:
 * bundled `fashion-mnist`, `digits`; downloaded `mnist`, `cifar10`; in the shared data folder
 * `cifar10-subset`, `fsdd`.
 */
import { ConfigError } from '../../errors.js';

export const DATA_FORMATS = ['idx', 'cifar', 'folder', 'csv', 'ucr', 'wav', 'npy'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const DATASET_NAMES = ['fashion-mnist', 'digits', 'mnist', 'cifar10', 'cifar10-subset', 'fsdd'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export type DataSpec = { kind: 'file'; format: DataFormat; path: string } | { kind: 'named'; name: DatasetName };

/** Parses a data spec; an unknown format or name is a ConfigError listing the choices. */
export function parseDataSpec(spec: string): DataSpec {
  const fn = 'parseDataSpec';
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new ConfigError(fn, 'spec', `must be '<format>:<path>' or a dataset name, got ${JSON.stringify(spec)}`);
  }
  const s = spec.trim();
  if ((DATASET_NAMES as readonly string[]).includes(s)) return { kind: 'named', name: s as DatasetName };
  const colon = s.indexOf(':');
  if (colon < 0) {
    throw new ConfigError(fn, 'spec', `must be '<format>:<path>' with a format of ${DATA_FORMATS.join(', ')}, or one of the names ${DATASET_NAMES.join(', ')}; got ${JSON.stringify(s)}`);
  }
  const format = s.slice(0, colon);
  const path = s.slice(colon + 1);
  if (!(DATA_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(fn, 'spec', `has unknown format ${JSON.stringify(format)}; formats: ${DATA_FORMATS.join(', ')} (or a name: ${DATASET_NAMES.join(', ')})`);
  }
  if (path === '') throw new ConfigError(fn, 'spec', `must give a path after '${format}:', got ${JSON.stringify(s)}`);
  return { kind: 'file', format: format as DataFormat, path };
}

/** The spec as a string again (`idx:/data/mnist`, `digits`). */
export function formatDataSpec(spec: DataSpec): string {
  return spec.kind === 'named' ? spec.name : `${spec.format}:${spec.path}`;
}
