/**
 * The PyTorch peer of the step benchmark: `/usr/bin/python3 ../shared/peers/simclr_step_torch.py
 * <arch> <steps> <threads>` as a child process (under /usr/bin/time for its peak RSS when present);
 * the archs `mobilenet` and `conv1d` run bench/peers/user_models_step_torch.py instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The peer script: `CONTRASTIVE_PEERS` (a folder) or ../shared/peers next to the repository. */
export const PEER_SCRIPT = join(process.env.CONTRASTIVE_PEERS ?? join(root, '..', 'shared', 'peers'), 'simclr_step_torch.py');
/** The peer of the tfjs-layers models a user brings (bench/_user-mobilenet.ts, bench/_user-conv1d.ts). */
export const USER_PEER_SCRIPT = join(root, 'bench', 'peers', 'user_models_step_torch.py');
const PYTHON = '/usr/bin/python3';

/** The architectures the peers know. */
export type PeerArch = 'small' | 'resnet' | 'mobilenet' | 'conv1d';
const scriptFor = (arch: PeerArch): string => (arch === 'mobilenet' || arch === 'conv1d' ? USER_PEER_SCRIPT : PEER_SCRIPT);
const TIME = '/usr/bin/time';

export interface StepResult {
  engine: string;
  threads: number;
  images: number;
  medianStepS: number;
  imagesPerS: number;
  /** Peak resident memory of the process, MB (undefined when it could not be measured). */
  peakRssMb: number | undefined;
  /** CPU time (user + system, all threads) of one timed step, s, when measured. */
  cpuPerStepS?: number | undefined;
  /** CPU time of the whole process, s (the peer, under /usr/bin/time). */
  processCpuS?: number | undefined;
}

/** Why the peer cannot run here, or undefined when it can. */
export function peerUnavailable(arch: PeerArch = 'small'): string | undefined {
  if (!existsSync(scriptFor(arch))) return `${scriptFor(arch)} not found`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.status !== 0) return `${PYTHON} has no torch (apt-get install -y python3-torch libopenblas0-openmp)`;
  return undefined;
}

/**
 * Runs the peer once: `steps` timed steps after its 2 warm-up steps. `preload`: a malloc library
 * the peer runs with (LD_PRELOAD), e.g. tcmalloc, which keeps freed memory for reuse where glibc
 * returns large blocks to the system and pays their page faults again on every step.
 */
export function runPeer(arch: PeerArch, steps: number, threads = 2, preload?: string): StepResult {
  const args = [scriptFor(arch), arch, String(steps), String(threads)];
  const timed = existsSync(TIME);
  const env = preload === undefined ? process.env : { ...process.env, LD_PRELOAD: preload };
  const r = timed
    ? spawnSync(TIME, ['-f', 'peak_rss_kb=%M cpu_s=%U+%S', PYTHON, ...args], { encoding: 'utf8', env })
    : spawnSync(PYTHON, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`peer failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const line = r.stdout.trim().split('\n').pop()!;
  const j = JSON.parse(line) as { engine: string; threads: number; images: number; median_step_s: number; images_per_s: number };
  const rss = /peak_rss_kb=(\d+)/.exec(r.stderr);
  const cpu = /cpu_s=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  return {
    engine: preload === undefined ? j.engine : `${j.engine} (LD_PRELOAD ${basename(preload)})`,
    threads: j.threads,
    images: j.images,
    medianStepS: j.median_step_s,
    imagesPerS: j.images_per_s,
    peakRssMb: rss ? Number(rss[1]) / 1024 : undefined,
    processCpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined,
  };
}

/**
 * The peer's CPU time per step: two runs, `steps` and 1 timed steps (each after 2 warm-ups);
 * the difference of their process CPU times over `steps - 1` leaves out start-up and warm-up.
 */
export function peerCpuPerStep(arch: PeerArch, steps: number, threads: number, preload?: string): number | undefined {
  if (steps < 2) return undefined;
  const long = runPeer(arch, steps, threads, preload).processCpuS;
  const short = runPeer(arch, 1, threads, preload).processCpuS;
  return long === undefined || short === undefined ? undefined : (long - short) / (steps - 1);
}
