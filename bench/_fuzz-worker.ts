/** One format's fuzz inputs in a worker thread (bench/fuzz.ts watches it for hangs and crashes). */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../src/backend.js';
import { makeTargets, mutate, feed } from '../test/reliability/fuzz-harness.js';

const { name, seed, start, count, timeLimitMs } = workerData as {
  name: string;
  seed: number;
  start: number;
  count: number;
  timeLimitMs: number;
};
await initBackend('cpu');
const { targets, close } = await makeTargets();
const target = targets.find((t) => t.name === name)!;
for (let i = start; i < count; i++) {
  parentPort!.postMessage({ type: 'start', i });
  const { bytes } = mutate(target, seed, i);
  const r = await feed(target, bytes, timeLimitMs);
  parentPort!.postMessage({ type: 'done', i, ...r });
}
await close();
parentPort!.postMessage({ type: 'end' });
