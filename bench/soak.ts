/**
 * `npm run bench -- soak [--steps 1000] [--every 100] [--methods simclr,cpc] [--backend cpu]`:
 * trains every method (small models, test/reliability/tiny-methods.ts) for `--steps` steps and
 * prints `tf.memory().numTensors` and the process RSS every `--every` steps. Pass: the tensor
 * count is flat after the first report and RSS grows by at most 5% from the first report (after
 * warm-up: optimizer slots, kernel caches) to the last. Exit code 1 when a method fails.
 *
 * Each report follows two full collections (run with --expose-gc): V8 frees array buffers' memory
 * in a concurrent sweep that one `gc()` starts but need not finish, so after a single collection
 * `arrayBuffers` (and RSS) still counted up to 30 MB of dead CPC buffers at random reports. The V8
 * heap, external memory and array buffers are printed next to RSS to tell a leak from allocator
 * retention (RSS - heap - external: native memory the allocator keeps).
 */
import * as tf from '../src/tf.js';
import { Rng } from '../src/random.js';
import { initBackend, describeBackend, type BackendName } from '../src/backend.js';
import { TINY_METHODS, tinyMethod, type TinyMethod } from '../test/reliability/tiny-methods.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** Two full collections: the second finishes the first's concurrent sweep of array buffers. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('soak: run with node --expose-gc (RSS after a collection is the measure)');
  gc();
  gc();
}

export async function main(args: string[]): Promise<void> {
  const steps = Number(arg(args, 'steps', '1000'));
  const every = Number(arg(args, 'every', '100'));
  const only = arg(args, 'methods', '');
  const backend = arg(args, 'backend', '');
  const info = await initBackend(backend === '' ? undefined : (backend as BackendName));
  console.log(`soak: ${describeBackend(info)}; ${steps} steps per method, report every ${every}`);
  const names = (only === '' ? [...TINY_METHODS] : only.split(',')) as TinyMethod[];
  const summary: string[] = [];
  let failed = false;
  for (const name of names) {
    const { method, batch } = tinyMethod(name);
    const rng = new Rng(1);
    const rows: { step: number; tensors: number; rssMb: number; heapMb: number; externalMb: number; loss: number }[] = [];
    const t0 = performance.now();
    for (let k = 1; k <= steps; k++) {
      const b = batch(k % 50); // 50 distinct batches, cycled
      const m = await method.trainStep(b, rng);
      b.x.dispose();
      if (k % every === 0) {
        collect();
        const u = process.memoryUsage();
        rows.push({
          step: k,
          tensors: tf.memory().numTensors,
          rssMb: u.rss / 2 ** 20,
          heapMb: u.heapUsed / 2 ** 20,
          externalMb: u.external / 2 ** 20,
          loss: m.loss,
        });
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    method.dispose();
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const flat = rows.every((r) => r.tensors === first.tensors);
    const growth = (last.rssMb - first.rssMb) / first.rssMb;
    const ok = flat && growth <= 0.05;
    // least-squares slope of RSS over the reports, as % of the first per 1,000 steps, and the band
    // the reports stay in: allocator retention moves RSS up and down; a leak makes a steady slope
    const xm = rows.reduce((a, r) => a + r.step, 0) / rows.length;
    const ym = rows.reduce((a, r) => a + r.rssMb, 0) / rows.length;
    const sxx = rows.reduce((a, r) => a + (r.step - xm) ** 2, 0);
    const slope = sxx > 0 ? rows.reduce((a, r) => a + (r.step - xm) * (r.rssMb - ym), 0) / sxx : 0; // MiB per step
    const trend = (slope * 1000) / first.rssMb;
    const band = `${Math.min(...rows.map((r) => r.rssMb)).toFixed(0)}-${Math.max(...rows.map((r) => r.rssMb)).toFixed(0)}`;
    const heap = `${first.heapMb.toFixed(1)} -> ${last.heapMb.toFixed(1)}`;
    failed ||= !ok;
    console.log(`\n${name} (${seconds.toFixed(0)} s): ${ok ? 'PASS' : 'FAIL'}`);
    console.log('| step | numTensors | RSS MiB | V8 heap used MiB | external MiB | loss |\n|---|---|---|---|---|---|');
    for (const r of rows)
      console.log(
        `| ${r.step} | ${r.tensors} | ${r.rssMb.toFixed(1)} | ${r.heapMb.toFixed(1)} | ${r.externalMb.toFixed(1)} | ${r.loss.toFixed(4)} |`,
      );
    summary.push(
      `| ${name} | ${first.tensors} -> ${last.tensors}${flat ? ' (flat)' : ' (NOT flat)'} | ${first.rssMb.toFixed(1)} -> ${last.rssMb.toFixed(1)} | ${(growth * 100).toFixed(1)}% | ${(trend * 100).toFixed(1)}% | ${band} | ${heap} | ${seconds.toFixed(0)} | ${ok ? 'pass' : 'FAIL'} |`,
    );
  }
  console.log(
    `\n| method | numTensors step ${every} -> ${steps} | RSS MiB step ${every} -> ${steps} | RSS growth | RSS trend per 1,000 steps | RSS band MiB | V8 heap used MiB | seconds | verdict |\n|---|---|---|---|---|---|---|---|---|`,
  );
  for (const s of summary) console.log(s);
  if (failed) process.exitCode = 1;
}
