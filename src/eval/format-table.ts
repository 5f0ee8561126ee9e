/**
 * A plain-text table of label-efficiency results, one row per feature set, for terminals and logs:
 *
 *             linear probe           kNN
 *   features    1%    10%   100%      1%    10%   100%
 *   pixels    70.1   79.3   84.0    69.8   77.2   85.4
 *   trained   ...
 *
 * Accuracies print as percentages.
 */
import { ConfigError } from '../errors.js';
import { assertInteger, describe } from '../validate.js';
import type { LabelEfficiencyResult } from './label-efficiency.js';

export interface LabelEfficiencyTableOptions {
  /** Digits after the decimal point of each percentage. @default 1 */
  digits?: number;
  /** Title of the linear-probe column group. @default 'linear probe' */
  linearTitle?: string;
  /** Title of the kNN column group. @default 'kNN' */
  knnTitle?: string;
}

/** Formats `{ name: { linear: {"1%": acc}, knn: {...} } }` as aligned text (no trailing newline). */
export function formatLabelEfficiencyTable(
  results: Record<string, LabelEfficiencyResult>,
  options: LabelEfficiencyTableOptions = {},
): string {
  const fn = 'formatLabelEfficiencyTable';
  const { digits = 1, linearTitle = 'linear probe', knnTitle = 'kNN' } = options;
  assertInteger(digits, fn, 'digits', 0);
  if (results === null || typeof results !== 'object')
    throw new ConfigError(fn, 'results', `must be an object of results by feature set, got ${describe(results)}`);
  const names = Object.keys(results);
  const keys: string[] = [];
  for (const name of names) {
    const r = results[name];
    if (r === null || typeof r !== 'object' || typeof r.linear !== 'object' || typeof r.knn !== 'object') {
      throw new ConfigError(fn, `results.${name}`, `must have \`linear\` and \`knn\` accuracies, got ${describe(r)}`);
    }
    for (const k of [...Object.keys(r.linear), ...Object.keys(r.knn)]) if (!keys.includes(k)) keys.push(k);
  }
  const cell = (v: number | undefined) => (v === undefined ? '-' : (v * 100).toFixed(digits));
  const nameWidth = Math.max('features'.length, ...names.map((n) => n.length));
  const colWidth = Math.max(4 + digits, ...keys.map((k) => k.length));
  const groupWidth = keys.length * (colWidth + 1) - 1;
  const group = (cells: string[]) => cells.map((c) => c.padStart(colWidth)).join(' ');
  const lines = [
    `${''.padEnd(nameWidth)}  ${linearTitle.padEnd(groupWidth)}   ${knnTitle}`,
    `${'features'.padEnd(nameWidth)}  ${group(keys)}   ${group(keys)}`,
    ...names.map(
      (n) =>
        `${n.padEnd(nameWidth)}  ${group(keys.map((k) => cell(results[n]!.linear[k])))}   ${group(keys.map((k) => cell(results[n]!.knn[k])))}`,
    ),
  ];
  return lines.map((l) => l.trimEnd()).join('\n');
}
