/**
 * The table `--profile` prints in bench/step.ts and bench/start-step.ts: tf.profile's kernels
 * summed by name, the largest first, with their share of the kernel time and their call count.
 */
import type * as tf from '../src/tf.js';

/** `title` (with the total kernel time appended) then one line per kernel, the `top` largest. */
export function kernelProfileLines(p: Awaited<ReturnType<typeof tf.profile>>, title: string, top = 15): string[] {
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of p.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls++;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, v) => s + v.ms, 0);
  const width = Math.max(24, ...[...byName.keys()].map((n) => n.length));
  return [
    `${title}, kernel time ${total.toFixed(0)} ms:`,
    ...[...byName.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(
        ([n, { ms, calls }]) =>
          `  ${n.padEnd(width)} ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}% ${String(calls).padStart(5)} calls`,
      ),
  ];
}
