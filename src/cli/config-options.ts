/**
 * `pretrain --config <file>`: starts a run from a config file (a run's config.json, whose `options`
 * are used, or a plain object of options with the flags' camelCase names), the flags given on the
 * command line taking precedence. The run folder (`--out`) always comes from the command line.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError, DataError } from '../errors.js';

/** Options a config file does not set: where the run goes, how it is shown, and this flag itself. */
const NOT_FROM_CONFIG = new Set(['out', 'resume', 'quiet', 'config', 'json']);

/**
 * The command's parsed options with those of `file` filled in where no flag was given.
 * @throws DataError when the file is unreadable or not JSON; ConfigError for an unknown option or
 *   a value of another type than the flag's default.
 */
export async function withConfigFile<T extends object>(command: Command, opts: T, file: string): Promise<T> {
  const fn = command.name();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DataError(fn, file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataError(fn, file, `is not JSON: ${(err as Error).message}`);
  }
  const fromFile = (
    parsed !== null && typeof parsed === 'object' && 'options' in parsed ? (parsed as { options: unknown }).options : parsed
  ) as unknown;
  if (fromFile === null || typeof fromFile !== 'object' || Array.isArray(fromFile)) {
    throw new ConfigError(
      fn,
      '--config',
      `must hold an object of options (or a run's config.json), got ${Array.isArray(fromFile) ? 'an array' : typeof fromFile}`,
    );
  }
  const known = new Map(command.options.map((o) => [o.attributeName(), o]));
  const merged: Record<string, unknown> = { ...(opts as Record<string, unknown>) };
  for (const [key, value] of Object.entries(fromFile)) {
    if (value === null || value === undefined || NOT_FROM_CONFIG.has(key)) continue;
    if (!known.has(key))
      throw new ConfigError(
        fn,
        '--config',
        `sets '${key}', which is not an option of ${fn} (known: ${[...known.keys()].filter((k) => !NOT_FROM_CONFIG.has(k)).join(', ')})`,
      );
    if (command.getOptionValueSource(key) === 'cli') continue; // the command line wins
    const current = merged[key];
    if (current !== undefined && typeof current !== typeof value) {
      throw new ConfigError(
        fn,
        '--config',
        `sets '${key}' to ${JSON.stringify(value)}, expected a ${typeof current} like the flag's default (${JSON.stringify(current)})`,
      );
    }
    merged[key] = value;
  }
  return merged as T;
}
