/**
 * File-name patterns such as FSDD's `{digit}_{speaker}_{index}.wav`: `{field}` matches one or
 * more characters other than `/`; everything else is literal.
 */
import { ConfigError } from '../errors.js';

export interface FileNamePattern {
  /** The pattern as given. */
  source: string;
  /** Field names in order. */
  fields: string[];
  /** The fields of `name`, or undefined when it does not match. */
  match(name: string): Record<string, string> | undefined;
}

export function compileFileNamePattern(pattern: string): FileNamePattern {
  const fields: string[] = [];
  let re = '^';
  let last = 0;
  for (const m of pattern.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    re += pattern.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (fields.includes(m[1]!)) throw new ConfigError('compileFileNamePattern', 'pattern', `must name each field once, got ${JSON.stringify(pattern)} with {${m[1]}} twice`);
    fields.push(m[1]!);
    re += '([^/]+?)';
    last = m.index + m[0].length;
  }
  re += pattern.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
  if (fields.length === 0) throw new ConfigError('compileFileNamePattern', 'pattern', `must contain at least one {field}, got ${JSON.stringify(pattern)}`);
  const regex = new RegExp(re);
  return {
    source: pattern,
    fields,
    match(name: string) {
      const m = regex.exec(name);
      if (m === null) return undefined;
      return Object.fromEntries(fields.map((f, i) => [f, m[i + 1]!]));
    },
  };
}
