/**
 * `npm run fuzz [-- --count 10000 --seed 1 --formats idx,png --time-limit 5000 --hang 60000]`:
 * mutates real files of every supported format (test/reliability/fuzz-harness.ts) and feeds each
 * to its loader. Each format runs in a worker thread watched from here: an input that gets no
 * answer within `--hang` ms (a synchronous loop that never returns) or that kills the thread is a
 * failure too. Every failure is saved under test/fixtures/fuzz/ (replayed by `npm test`).
 * Exit code 1 when any failure was found.
 */
import { Worker } from 'node:worker_threads';
import { initBackend } from '../src/backend.js';
import { makeTargets, mutate, saveReproducer, type Failure } from '../test/reliability/fuzz-harness.js';

// Node 20 does not pass `--import tsx` to worker threads: the worker registers tsx, then loads the TypeScript
const WORKER_BOOT = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./_fuzz-worker.ts', import.meta.url).href)}); })`;

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

interface Row {
  format: string;
  inputs: number;
  ok: number;
  dataError: number;
  failures: Failure[];
  seconds: number;
}

export async function main(args: string[]): Promise<void> {
  const count = Number(arg(args, 'count', '10000'));
  const seed = Number(arg(args, 'seed', '1'));
  const timeLimitMs = Number(arg(args, 'time-limit', '5000'));
  const hangMs = Number(arg(args, 'hang', '60000'));
  await initBackend('cpu');
  const { targets, missing, close } = await makeTargets();
  const only = arg(args, 'formats', '');
  const chosen = only === '' ? targets : targets.filter((t) => only.split(',').includes(t.name));
  for (const m of missing) console.error(`skipped: ${m}`);
  const rows: Row[] = [];
  for (const target of chosen) {
    const row: Row = { format: target.name, inputs: 0, ok: 0, dataError: 0, failures: [], seconds: 0 };
    const t0 = performance.now();
    let next = 0;
    while (next < count) {
      // one worker from `next`; on a hang or a crash, record input `current` and restart after it
      next = await new Promise<number>((resolve) => {
        const w = new Worker(WORKER_BOOT, { eval: true, workerData: { name: target.name, seed, start: next, count, timeLimitMs } });
        let started = false;
        let current = next;
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        const fail = (kind: string, message: string): void => {
          if (settled) return;
          if (!started) {
            // the worker died before its first input: a harness problem, not a finding
            console.error(`fuzz: the ${target.name} worker could not start: ${message}`);
            process.exit(2);
          }
          settled = true;
          clearTimeout(timer);
          const { bytes, mutation } = mutate(target, seed, current);
          row.inputs += 1;
          row.failures.push({ target: target.name, index: current, mutation, kind, message, bytes });
          void w.terminate();
          resolve(current + 1);
        };
        const arm = (): void => {
          clearTimeout(timer);
          timer = setTimeout(() => fail('hang', `no answer in ${hangMs} ms`), hangMs);
        };
        arm();
        w.on('message', (m: { type: string; i: number; result?: string; kind?: string; message?: string }) => {
          if (m.type === 'start') {
            started = true;
            current = m.i;
            arm();
          } else if (m.type === 'done') {
            row.inputs += 1;
            if (m.result === 'ok') row.ok += 1;
            else if (m.result === 'dataError') row.dataError += 1;
            else row.failures.push({ target: target.name, index: m.i, ...mutateInfo(m.i), kind: m.kind!, message: m.message! });
            if ((m.i + 1) % 1000 === 0) process.stderr.write(`${target.name}: ${m.i + 1}/${count}\n`);
          } else if (m.type === 'end' && !settled) {
            settled = true;
            clearTimeout(timer);
            void w.terminate();
            resolve(count);
          }
        });
        w.on('error', (err) => fail('crash', `worker error: ${err.message}`));
        w.on('exit', (code) => fail('crash', `worker exited with code ${code}`));
      });
    }
    function mutateInfo(i: number): { mutation: Failure['mutation']; bytes: Uint8Array } {
      const { bytes, mutation } = mutate(target, seed, i);
      return { bytes, mutation };
    }
    row.seconds = (performance.now() - t0) / 1000;
    rows.push(row);
    const kinds = [...new Set(row.failures.map((f) => f.kind))].join(', ');
    console.log(
      `${row.format}: ${row.inputs} inputs, ${row.ok} loaded, ${row.dataError} DataError, ${row.failures.length} failures${kinds ? ` (${kinds})` : ''}, ${row.seconds.toFixed(1)} s`,
    );
    for (const f of row.failures)
      console.log(`  saved ${saveReproducer(f)}: input ${f.index} (${f.mutation}) ${f.kind}: ${f.message.split('\n')[0]}`);
  }
  await close();
  console.log('\n| format | inputs | loaded | DataError | other outcome (failure) | seconds |\n|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.format} | ${r.inputs} | ${r.ok} | ${r.dataError} | ${r.failures.length} | ${r.seconds.toFixed(0)} |`);
  if (rows.some((r) => r.failures.length > 0)) process.exitCode = 1;
}
