/**
 * Reads the text files of a run folder for the report; an absent file is left undefined (the
 * report says so), any other read error is named.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { RunTexts } from '../../run-report/build-report-data.js';
import { DataError } from '../../errors.js';
import { RUN_FILES } from '../run/run-folder.js';
import { TEMPERATURE_SWEEP_FILE } from '../../run-report/temperature-sweep.js';

/** The file `contrastive eval` writes its JSON report to, inside the run folder. */
export const EVAL_FILE = 'eval.json';

/** The report's file name inside the run folder. */
export const REPORT_FILE = 'report.html';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataError('readRunTexts', path, `could not be read (${(err as Error).message})`);
  }
}

/** config.json, metrics.jsonl, epochs.jsonl and eval.json of `dir` as text, and the sweep of the folder that holds it. */
export async function readRunTexts(dir: string): Promise<RunTexts> {
  const st = await stat(dir).catch(() => undefined);
  if (st === undefined || !st.isDirectory())
    throw new DataError('readRunTexts', 'dir', `must be a run folder, got '${dir}' (${st === undefined ? 'not found' : 'not a folder'})`);
  const [config, metrics, epochs, evalText, sweep] = await Promise.all([
    readOptional(join(dir, RUN_FILES.config)),
    readOptional(join(dir, RUN_FILES.metrics)),
    readOptional(join(dir, RUN_FILES.epochs)),
    readOptional(join(dir, EVAL_FILE)),
    readOptional(join(dir, '..', TEMPERATURE_SWEEP_FILE)),
  ]);
  return {
    title: basename(resolve(dir)),
    ...(config !== undefined ? { config } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(evalText !== undefined ? { eval: evalText } : {}),
    ...(sweep !== undefined ? { sweep } : {}),
  };
}
