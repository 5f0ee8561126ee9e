/** Builders of small data files for the data tests, and the shared-data location. */
import { existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { DataError } from '../../src/errors.js';
import { skipUnless } from '../support/prerequisites.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The shared data folder (CONTRASTIVE_DATA, default ../shared/data from the repo root), or undefined. */
export function sharedData(): string | undefined {
  const dir = resolve(repoRoot, process.env.CONTRASTIVE_DATA ?? '../shared/data');
  return existsSync(dir) ? dir : undefined;
}

/** Skip message for tests that need the shared data (a failure under CONTRASTIVE_REQUIRE_DATA=1). */
export function skipWithoutShared(what: string): string | false {
  return skipUnless('data', sharedData() === undefined ? `${what}: shared data folder absent (set CONTRASTIVE_DATA or place ../shared/data)` : false);
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'contrastive-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An IDX file: uint8 values with the given dims. */
export function idxBytes(dims: number[], values: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  out[2] = type;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(values as ArrayLike<number>, 4 + 4 * dims.length);
  return out;
}

/** A CIFAR-10 record file: image i has every R byte = r(i), G = g(i), B = b(i) except pixel 0. */
export function cifarBytes(labels: number[], variant: 10 | 100 = 10): Uint8Array {
  const lb = variant === 10 ? 1 : 2;
  const rec = lb + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((l, i) => {
    const at = i * rec;
    if (variant === 100) out[at] = l % 20;
    out[at + lb - 1] = l;
    for (let p = 0; p < 1024; p++) {
      out[at + lb + p] = (p + i) % 256; // R plane
      out[at + lb + 1024 + p] = (2 * p + i) % 256; // G plane
      out[at + lb + 2048 + p] = (3 * p + i) % 256; // B plane
    }
  });
  return out;
}

/** Asserts `fn` throws a DataError whose message matches every pattern. */
export async function rejectsData(fn: () => unknown, ...patterns: RegExp[]): Promise<DataError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}
