/**
 * `npm run bench -- gru-step [--backend native,wasm] [--steps N] [--rounds R] [--batch B]
 * [--time T] [--input D] [--units U] [--peer-threads N] [--cell gru|lstm]`: one training step of a GRU over a batch
 * of sequences (every step's output, loss = mean of their squares, gradients, Adam), by default
 * the shapes of CPC's context network on ECG200 (100 series x 96 steps -> 24 latents of 64 ->
 * 128 units). Two tfjs models per backend: `SequenceGru` (the project's `gruContext`, CPC's g_ar)
 * and a plain `tf.layers.gru` built in the bench's own code, as a user's model is (`initBackend`
 * routes tfjs-layers' GRU to the GRU sequence kernel where the backend has one, the same layer
 * `pretrain --arch model.json` builds). `--cell lstm`: a plain `tf.layers.lstm` instead (routed
 * the same way to the LSTM sequence kernel), against PyTorch's `nn.LSTM`. The PyTorch peer
 * (bench/peers/gru_step_torch.py, `nn.GRU`) runs in a child process between them, `rounds` times,
 * alternating. Prints each median step time and its ratio to the peer's (issue 19's bar: within
 * 2x of PyTorch), and the process's CPU time per timed step (user + system, all threads), which
 * other jobs on the machine change less than the wall time.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '../src/tf.js';
import { initBackend } from '../src/backend.js';
import { gruContext } from '../src/models/gru-context.js';
import { peerUnavailable } from './_peer.js';

const PEER = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'gru_step_torch.py');

interface Shapes {
  batch: number;
  time: number;
  input: number;
  units: number;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** Median seconds of `steps` timed training steps of `model` (after 2 warm-up steps), and the process's CPU seconds per step. */
function timeSteps(model: tf.LayersModel, s: Shapes, steps: number): [number, number] {
  const x = tf.randomNormal([s.batch, s.time, s.input], 0, 1, 'float32', 3);
  const optimizer = tf.train.adam(1e-3);
  const step = (): void => {
    const loss = optimizer.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)), true);
    loss!.dataSync(); // wait for the step to finish (the peer's loss.item())
    loss!.dispose();
  };
  step();
  step();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    step();
    times.push((performance.now() - t) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  x.dispose();
  optimizer.dispose();
  return [median(times), (cpu.user + cpu.system) / 1e6 / steps];
}

function layersRnn(s: Shapes, cell: 'gru' | 'lstm'): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers[cell]({
        units: s.units,
        returnSequences: true,
        inputShape: [s.time, s.input],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
      }),
    ],
  });
}

export async function main(args: string[]): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
  const s: Shapes = {
    batch: Number(arg('batch', '100')),
    time: Number(arg('time', '24')),
    input: Number(arg('input', '64')),
    units: Number(arg('units', '128')),
  };
  const steps = Number(arg('steps', '10'));
  const rounds = Number(arg('rounds', '3'));
  const peerThreads = arg('peer-threads', '2');
  const backends = arg('backend', 'native').split(',');
  const cell = arg('cell', 'gru');
  if (cell !== 'gru' && cell !== 'lstm') throw new Error(`gru-step: --cell takes gru or lstm, got '${cell}'`);
  const why = peerUnavailable();
  console.log(
    `gru step: batch ${s.batch} x ${s.time} steps x ${s.input} -> ${s.units} units, ${steps} timed steps, ${rounds} rounds; peer: ${why ?? `torch, ${peerThreads} threads`}`,
  );
  const results: Record<string, number[]> = {};
  const cpuTimes: Record<string, number[]> = {};
  const add = (k: string, [v, cpu]: [number, number]): void => {
    (results[k] ??= []).push(v);
    (cpuTimes[k] ??= []).push(cpu);
  };
  for (let r = 0; r < rounds; r++) {
    for (const b of backends) {
      const info = await initBackend(b as never);
      if (cell === 'gru') {
        const sequence = gruContext({ inputDim: s.input, units: s.units, seed: 1 });
        add(`${info.name} SequenceGru`, timeSteps(sequence, s, steps));
        sequence.dispose();
      }
      const plain = layersRnn(s, cell);
      add(`${info.name} tf.layers.${cell}`, timeSteps(plain, s, steps));
      plain.dispose();
    }
    if (why === undefined) {
      const p = spawnSync('/usr/bin/python3', [PEER, ...[s.batch, s.time, s.input, s.units, steps].map(String), peerThreads, cell], {
        encoding: 'utf8',
      });
      if (p.status !== 0) throw new Error(`gru peer failed (${p.status}): ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const j = JSON.parse(p.stdout.trim().split('\n').pop()!) as { engine: string; median_step_s: number; cpu_step_s: number };
      add(j.engine, [j.median_step_s, j.cpu_step_s]);
    }
  }
  const peerKey = Object.keys(results).find((k) => k.startsWith('torch'));
  const peerMs = peerKey === undefined ? undefined : median(results[peerKey]!) * 1000;
  const peerCpu = peerKey === undefined ? undefined : median(cpuTimes[peerKey]!) * 1000;
  console.log('| engine | median ms per step (rounds) | x PyTorch time | CPU ms per step | x PyTorch CPU |');
  console.log('|---|---|---|---|---|');
  for (const [k, v] of Object.entries(results)) {
    const ms = median(v) * 1000;
    const cpu = median(cpuTimes[k]!) * 1000;
    const ratio = (a: number, b: number | undefined): string => (b === undefined ? 'n/a' : (a / b).toFixed(2));
    console.log(
      `| ${k} | ${ms.toFixed(1)} (${v.map((t) => (t * 1000).toFixed(1)).join(', ')}) | ${ratio(ms, peerMs)} | ${cpu.toFixed(1)} | ${ratio(cpu, peerCpu)} |`,
    );
  }
}
