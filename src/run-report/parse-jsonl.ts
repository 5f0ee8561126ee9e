/**
 * Tolerant JSON-lines parsing for run files that a crash may have cut short: every readable line
 * is kept, and each unreadable one is named in `problems` (a torn last line is the usual case).
 */

export interface ParsedJsonl {
  /** The lines that parsed as JSON objects, in order. */
  records: Record<string, unknown>[];
  /** One sentence per skipped line. */
  problems: string[];
}

/** Parses `text` line by line; `file` names it in the problems. */
export function parseJsonl(text: string, file: string): ParsedJsonl {
  const records: Record<string, unknown>[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  const lastIndex = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      records.push(value as Record<string, unknown>);
    } else if (i === lastIndex) {
      problems.push(
        `${file}: the last line is truncated (${line.length} characters without an end: the run stopped while writing it); it was skipped`,
      );
    } else {
      problems.push(`${file}: line ${i + 1} is not a JSON object; it was skipped`);
    }
  }
  return { records, problems };
}
