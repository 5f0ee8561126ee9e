/**
 * `--limit N` with labels: the first samples of each class, the same share of every class.
 */
import { assertInteger } from '../validate.js';

/**
 * Indices (ascending) of `n` samples: class c contributes round(n * count_c / total) of its
 * first samples in order (largest remainders break ties so the total is exactly n). On balanced
 * data that is n / C per class. With n >= labels.length every index is returned.
 */
export function stratifiedLimit(labels: ArrayLike<number>, n: number): Int32Array {
  assertInteger(n, 'stratifiedLimit', 'n', 0);
  const total = labels.length;
  if (n >= total) return Int32Array.from({ length: total }, (_, i) => i);
  const counts = new Map<number, number>();
  for (let i = 0; i < total; i++) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (n * counts.get(c)!) / total);
  const quota = exact.map(Math.floor);
  let left = n - quota.reduce((a, b) => a + b, 0);
  // Largest remainder first; on equal remainders the lower class id first.
  const order = classes.map((_, k) => k).sort((a, b) => exact[b]! - quota[b]! - (exact[a]! - quota[a]!) || a - b);
  for (const k of order) {
    if (left === 0) break;
    quota[k]! += 1;
    left -= 1;
  }
  const want = new Map(classes.map((c, k) => [c, quota[k]!]));
  const out: number[] = [];
  for (let i = 0; i < total && out.length < n; i++) {
    const c = labels[i]!;
    const q = want.get(c)!;
    if (q > 0) {
      out.push(i);
      want.set(c, q - 1);
    }
  }
  return Int32Array.from(out);
}
