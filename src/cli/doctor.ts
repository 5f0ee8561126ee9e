/**
 * `contrastive doctor`: which backend this machine gets and why the faster ones did not load,
 * threads, the native addon's status, and a short timing of one matrix multiply.
 */
import { availableParallelism, cpus } from 'node:os';
import type { Command } from 'commander';
import * as tf from '../tf.js';
import { initBackend, describeBackend } from '../backend.js';
import { nativeStatus } from '../node/native/addon.js';

export async function doctorText(): Promise<string> {
  const lines: string[] = [];
  lines.push(`node ${process.version} on ${process.platform}/${process.arch}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
  lines.push(`tfjs-core ${tf.version_core}`);
  const info = await initBackend();
  lines.push(`chosen: ${describeBackend(info).replace(/ \(.*$/, '')}`);
  for (const s of info.skipped) lines.push(`  not used: ${s.name}: ${s.reason}`);
  const native = nativeStatus();
  lines.push(`native addon: ${native.loaded ? `loaded from ${native.path}` : `not loaded: ${native.reason ?? 'unknown reason'}`}`);
  const n = 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dispose(); // warm-up
  const t = performance.now();
  const reps = 5;
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const s = (performance.now() - t) / 1000 / reps;
  tf.dispose([a, b]);
  lines.push(`matmul ${n}x${n}x${n}: ${((2 * n ** 3) / s / 1e9).toFixed(1)} GFLOP/s on ${info.name}`);
  if (process.env.CONTRASTIVE_BACKEND) lines.push(`CONTRASTIVE_BACKEND=${process.env.CONTRASTIVE_BACKEND} forces the choice`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('show the backend chosen here, threads, and why faster backends did not load')
    .action(async () => {
      console.log(await doctorText());
    });
}
