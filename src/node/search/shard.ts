/**
 * `--shard i/n`: process i of n (1-based) takes the ids whose FNV-1a hash is i-1 modulo n. The
 * slice of an id never depends on the other files, so n processes (or hosts sharing the storage)
 * fill one table together, and adding files later keeps every id in its slice.
 */
import { ConfigError } from '../../errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `i/n` with 1 <= i <= n. */
export function parseShard(text: string, fn = 'parseShard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (m === null || count < 1 || index < 1 || index > count) {
    throw new ConfigError(fn, '--shard', `must be i/n with 1 <= i <= n (e.g. 1/2 and 2/2 for two processes), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** 32-bit FNV-1a of the UTF-16 code units of `s`. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Whether `id` belongs to `shard` (every id does when there is none). */
export function inShard(id: string, shard: Shard | undefined): boolean {
  return shard === undefined || shard.count === 1 || fnv1a(id) % shard.count === shard.index - 1;
}
