/**
 * `contrastive doctor [--json]`: which backend this machine gets and why the faster ones did not
 * load, threads, the native addon's status (and how to build it), and a short timing of one
 * matrix multiply.
 */
import { availableParallelism, cpus } from 'node:os';
import type { Command } from 'commander';
import * as tf from '../tf.js';
import { initBackend, describeBackend, type BackendInfo } from '../backend.js';
import { nativeStatus, type NativeStatus } from '../node/native/addon.js';
import { packageVersion } from './version.js';

/** What `doctor` finds; `--json` prints this object. */
export interface DoctorReport {
  contrastive: string;
  node: string;
  platform: string;
  arch: string;
  cores: number;
  cpu: string;
  tfjsCore: string;
  backend: BackendInfo;
  native: NativeStatus;
  /** GFLOP/s of a 512x512x512 matMul on the chosen backend. */
  matmulGflops: number;
  /** CONTRASTIVE_BACKEND, when it forces the choice. */
  forcedBy?: string;
}

/** Looks at this machine: initialises the backend and times a matrix multiply. */
export async function doctorReport(): Promise<DoctorReport> {
  const backend = await initBackend();
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
  const forced = process.env.CONTRASTIVE_BACKEND;
  return {
    contrastive: packageVersion(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    tfjsCore: tf.version_core,
    backend,
    native: nativeStatus(),
    matmulGflops: Number(((2 * n ** 3) / s / 1e9).toFixed(1)),
    ...(forced ? { forcedBy: `CONTRASTIVE_BACKEND=${forced}` } : {}),
  };
}

/** The text `doctor` prints. */
export function doctorText(r: DoctorReport): string {
  const lines: string[] = [];
  lines.push(`contrastive ${r.contrastive}, node ${r.node} on ${r.platform}/${r.arch}, ${r.cores} cores (${r.cpu})`);
  lines.push(`tfjs-core ${r.tfjsCore}`);
  lines.push(`chosen: ${describeBackend(r.backend).replace(/ \(.*$/, '')}`);
  for (const s of r.backend.skipped) lines.push(`  not used: ${s.name}: ${s.reason}`);
  lines.push(`native addon: ${r.native.loaded ? `loaded from ${r.native.path}` : `not loaded: ${r.native.reason ?? 'unknown reason'}`}`);
  lines.push(`matmul 512x512x512: ${r.matmulGflops.toFixed(1)} GFLOP/s on ${r.backend.name}`);
  if (r.forcedBy !== undefined) lines.push(`${r.forcedBy} forces the choice`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('show the backend chosen here, threads, and why faster backends did not load')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { json?: boolean }) => {
      const r = await doctorReport();
      console.log(opts.json === true ? JSON.stringify(r) : doctorText(r));
    });
}
