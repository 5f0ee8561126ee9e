/**
 * `npm run bench -- step [--arch small|small-bn|resnet|resnet-layers|resnet-moments|mobilenet-layers|conv1d-layers] [--backend native,wasm,wasm@1,cpu] [--steps N]
 * [--rounds R] [--no-peer] [--profile] [--cpu] [--peer-threads N] [--peer-preload LIB] [--kernels]`: one SimCLR training step, the same as ../shared/peers/simclr_step_torch.py
 * (same model, batch, NT-Xent τ = 0.5, Adam lr 1e-3, views pre-made): small = 256 pairs of
 * 28x28x1 through convNet(); resnet = 128 pairs of 32x32x3 through resnet({ stemWidth: 32,
 * widths: [32, 64, 128], blocksPerStage: [1, 1, 1] }); head 128-128-64. small-bn = small with
 * conv-BN-ReLU units (convNet({ batchNorm: true }), the CLI's default encoder; the peer has no such
 * model, so no peer runs for it). resnet-layers and resnet-moments = the same ResNet written as a
 * TensorFlow.js user writes it (bench/_user-resnet.ts: tfjs-layers with tf.layers.batchNormalization,
 * and raw ops with BatchNorm through tf.moments), against the same peer. mobilenet-layers = a
 * MobileNet-style tfjs-layers encoder (bench/_user-mobilenet.ts: depthwise-separable blocks with
 * BatchNorm and ReLU6, 128 pairs of 32x32x3, head 256-128-64) and conv1d-layers = a tfjs-layers
 * Conv1D-BN-ReLU encoder (bench/_user-conv1d.ts, 256 pairs of [512, 1] signals), each against its
 * twin in bench/peers/user_models_step_torch.py. A backend spec ending in `:tfjs-bn` (e.g. `native:tfjs-bn`) runs
 * BatchNorm as tfjs-layers does (moments + batchNorm) instead of the one-op layer, for a before/after;
 * `native:eager` runs native without its lazy per-channel tensors (CONTRASTIVE_NATIVE_LAZY=0),
 * `native:nodefer` without its deferred outputs (CONTRASTIVE_NATIVE_DEFER=0, src/node/native/deferred.ts).
 * Each backend and the PyTorch peer run in their own child process, alternating, `rounds` times;
 * prints images/s per run, the median per engine, the ratio of medians to the peer, and peak RSS.
 * Default backends: every one of native, wasm that loads. `wasm@1` is wasm limited to 1 thread.
 * `--profile` prints the kernels' share of one step (first run only). `--cpu` also reports CPU time
 * per step (the peer's from two runs' difference), a measure other processes' load barely moves;
 * with 1 thread on both sides it compares the work each engine does. `--peer-preload LIB` runs the
 * peer with LD_PRELOAD=LIB (e.g. /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4: PyTorch with a
 * caching malloc, see bench/_peer.ts). `--kernels` times the
 * project's wasm kernels against the shipped ones instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerCpuPerStep, peerUnavailable, runPeer, type PeerArch, type StepResult } from './_peer.js';
import { kernelProfileLines } from './_kernel-profile.js';
import type * as TF from '../src/tf.js';

type Arch = 'small' | 'small-bn' | 'resnet' | 'resnet-layers' | 'resnet-moments' | 'mobilenet-layers' | 'conv1d-layers';
const ARCHS: readonly Arch[] = ['small', 'small-bn', 'resnet', 'resnet-layers', 'resnet-moments', 'mobilenet-layers', 'conv1d-layers'];
/** The peer's model for each arch (small-bn has none). */
const peerArch = (a: Arch): PeerArch =>
  a === 'small' ? 'small' : a === 'mobilenet-layers' ? 'mobilenet' : a === 'conv1d-layers' ? 'conv1d' : 'resnet';
const here = dirname(fileURLToPath(import.meta.url));

interface Options {
  arch: Arch;
  backends: string[] | undefined;
  steps: number;
  rounds: number;
  peer: boolean;
  profile: boolean;
  child: boolean;
  /** Child only: tfjs-layers' BatchNorm instead of the one-op one. */
  tfjsBn: boolean;
  /** Also measure CPU time per step (robust when other processes load the machine). */
  cpu: boolean;
  /** Instead of steps: the project's wasm kernels against the shipped ones, on this step's shapes. */
  kernels: boolean;
  peerThreads: number;
  /** LD_PRELOAD of the peer (a malloc library), or undefined. */
  peerPreload: string | undefined;
}

function parse(args: string[]): Options {
  const o: Options = {
    arch: 'small',
    backends: undefined,
    steps: 5,
    rounds: 3,
    peer: true,
    profile: false,
    child: false,
    tfjsBn: false,
    cpu: false,
    kernels: false,
    peerThreads: 2,
    peerPreload: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`step: ${a} needs a value`);
      return v;
    };
    if (a === '--arch') {
      const v = next();
      if (!(ARCHS as readonly string[]).includes(v)) throw new Error(`step: --arch must be one of ${ARCHS.join(', ')}, got '${v}'`);
      o.arch = v as Arch;
    } else if (a === '--backend')
      o.backends = next()
        .split(',')
        .filter((s) => s !== '');
    else if (a === '--steps') o.steps = Math.max(1, Number.parseInt(next(), 10));
    else if (a === '--rounds') o.rounds = Math.max(1, Number.parseInt(next(), 10));
    else if (a === '--no-peer') o.peer = false;
    else if (a === '--profile') o.profile = true;
    else if (a === '--child') o.child = true;
    else if (a === '--tfjs-bn') o.tfjsBn = true;
    else if (a === '--cpu') o.cpu = true;
    else if (a === '--kernels') o.kernels = true;
    else if (a === '--peer-threads') o.peerThreads = Math.max(1, Number.parseInt(next(), 10));
    else if (a === '--peer-preload') o.peerPreload = next();
    else throw new Error(`step: unknown option '${a}'`);
  }
  return o;
}

/** In this process: build the model on `backend`, time `steps` steps after 2 warm-up steps. */
async function measure(arch: Arch, backend: string, steps: number, profile: boolean, tfjsBn = false): Promise<StepResult> {
  const tf = await import('../src/tf.js');
  const { initBackend } = await import('../src/backend.js');
  const { convNet } = await import('../src/models/conv-net.js');
  const { resnet } = await import('../src/models/resnet.js');
  const { projectionHead } = await import('../src/models/projection-head.js');
  const { useFusedBatchNorm } = await import('../src/models/batch-norm.js');
  useFusedBatchNorm(!tfjsBn);
  const { ntXentLoss } = await import('../src/losses/nt-xent.js');
  const info = await initBackend(backend as never);
  const small = arch === 'small' || arch === 'small-bn';
  const pairs = small || arch === 'conv1d-layers' ? 256 : 128;
  const shape: number[] = small ? [28, 28, 1] : arch === 'conv1d-layers' ? [512, 1] : [32, 32, 3];
  const image = shape as [number, number, number];
  const { layersResnet, momentsResnet } = await import('./_user-resnet.js');
  const { layersMobilenet, MOBILENET_OUT } = await import('./_user-mobilenet.js');
  const { layersConv1d } = await import('./_user-conv1d.js');
  const encoder: { apply(x: TF.Tensor, kwargs: { training: boolean }): unknown } = small
    ? convNet({ inputShape: image, batchNorm: arch === 'small-bn' })
    : arch === 'resnet-layers'
      ? layersResnet(tf, image)
      : arch === 'resnet-moments'
        ? momentsResnet(tf, image)
        : arch === 'mobilenet-layers'
          ? layersMobilenet(tf, image)
          : arch === 'conv1d-layers'
            ? layersConv1d(tf, shape as [number, number])
            : resnet({ inputShape: image, stemWidth: 32, widths: [32, 64, 128], blocksPerStage: [1, 1, 1] });
  const head = projectionHead({ inputDim: arch === 'mobilenet-layers' ? MOBILENET_OUT : 128, hiddenDim: 128, outputDim: 64 });
  const views = tf.randomUniform([2 * pairs, ...shape], 0, 1, 'float32', 0); // both views, pre-made
  const optimizer = tf.train.adam(1e-3);
  const step = (): number => {
    const loss = optimizer.minimize(() => {
      const h = encoder.apply(views, { training: true }) as TF.Tensor2D; // [2N, 128]
      const z = head.apply(h, { training: true }) as TF.Tensor2D; // [2N, 64]
      const [z1, z2] = tf.split(z, 2, 0) as [TF.Tensor2D, TF.Tensor2D];
      return ntXentLoss(z1, z2, { temperature: 0.5 });
    }, true)!;
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  };
  const times: number[] = [];
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < 2 + steps; i++) {
    if (i === 2) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const loss = step();
    if (!Number.isFinite(loss)) throw new Error(`step: loss is ${loss} at step ${i}`);
    if (i >= 2) times.push((performance.now() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuPerStepS = (cpu.user + cpu.system) / 1e6 / steps;
  if (profile) {
    const p = await tf.profile(() => {
      step();
    });
    for (const line of kernelProfileLines(p, `profile (${backend}, one step)`)) console.error(line);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)]!;
  views.dispose();
  return {
    engine: `contrastive ${info.name}${tfjsBn ? ' (tfjs-layers BatchNorm)' : ''}${process.env.CONTRASTIVE_NATIVE_LAZY === '0' ? ' (eager)' : ''}${process.env.CONTRASTIVE_NATIVE_DEFER === '0' ? ' (no deferred outputs)' : ''}`,
    threads: info.threads,
    images: 2 * pairs,
    medianStepS: med,
    imagesPerS: (2 * pairs) / med,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuPerStepS,
  };
}

/** Runs `measure` in a child process (a clean heap and its own peak RSS). */
function runChild(o: Options, spec: string): StepResult | string {
  // `wasm@1`: the wasm backend with CONTRASTIVE_WASM_THREADS=1 (compare thread counts in one run)
  // `native:eager`: the native backend without lazy per-channel tensors (CONTRASTIVE_NATIVE_LAZY=0)
  // `native:nodefer`: the native backend without deferred outputs (CONTRASTIVE_NATIVE_DEFER=0)
  const tfjsBn = spec.endsWith(':tfjs-bn');
  const eager = spec.endsWith(':eager');
  const nodefer = spec.endsWith(':nodefer');
  const [backend, threads] = spec.replace(/:tfjs-bn$|:eager$|:nodefer$/, '').split('@') as [string, string | undefined];
  const env = {
    ...process.env,
    ...(threads === undefined ? {} : { CONTRASTIVE_WASM_THREADS: threads }),
    ...(eager ? { CONTRASTIVE_NATIVE_LAZY: '0' } : {}),
    ...(nodefer ? { CONTRASTIVE_NATIVE_DEFER: '0' } : {}),
  };
  const args = [
    '--import',
    'tsx',
    join(here, 'run.ts'),
    'step',
    '--child',
    '--arch',
    o.arch,
    '--backend',
    backend,
    '--steps',
    String(o.steps),
  ];
  if (o.profile) args.push('--profile');
  if (tfjsBn) args.push('--tfjs-bn');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
  if (o.profile)
    process.stderr.write(
      r.stderr
        .split('\n')
        .filter((l) => l.startsWith('profile') || l.startsWith('  '))
        .join('\n') + '\n',
    );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    return (
      r.stderr
        .trim()
        .split('\n')
        .find((l) => /Error|error/.test(l)) ?? `exit ${r.status}`
    ).slice(0, 200);
  return JSON.parse(line) as StepResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (r: StepResult): string =>
  `${r.engine} (${r.threads} thr): ${r.imagesPerS.toFixed(1)} images/s, median step ${(r.medianStepS * 1000).toFixed(0)} ms, ` +
  `${r.cpuPerStepS !== undefined ? `CPU ${r.cpuPerStepS.toFixed(2)} s/step, ` : ''}peak RSS ${r.peakRssMb?.toFixed(0) ?? '?'} MB`;
/** Images per CPU-second: the work a step costs, whatever else loads the machine. */
const perCpu = (rs: StepResult[]): number | undefined => {
  const c = rs.map((r) => r.cpuPerStepS).filter((v): v is number => v !== undefined);
  return c.length === 0 ? undefined : rs[0]!.images / median(c);
};

/**
 * `--kernels`: each replaced wasm kernel against the shipped one (where there is one), 1 thread,
 * CPU time (best of 3), on activation shapes of the two bench models.
 */
async function kernels(): Promise<void> {
  process.env.CONTRASTIVE_WASM_THREADS = '1';
  const tf = await import('../src/tf.js');
  const { initBackend } = await import('../src/backend.js');
  const { callStock } = await import('../src/backend-loaders/wasm/kernel-utils.js');
  const { conv2DBackpropFilter } = await import('../src/backend-loaders/wasm/conv2d-backprop-filter.js');
  await initBackend('wasm');
  const backend = tf.backend() as never;
  const best = (f: () => TF.TensorInfo): number => {
    const ts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = process.cpuUsage();
      const out = f();
      const d = process.cpuUsage(t0);
      (tf.backend() as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
      if (i > 0) ts.push((d.user + d.system) / 1000);
    }
    return Math.min(...ts);
  };
  const run = (name: string, inputs: TF.NamedTensorInfoMap, attrs: object) => (): TF.TensorInfo =>
    tf.getKernel(name, 'wasm')!.kernelFunc({ inputs, attrs: attrs as TF.NamedAttrMap, backend }) as TF.TensorInfo;
  const stock = (name: string, inputs: TF.NamedTensorInfoMap, attrs: object) => (): TF.TensorInfo =>
    callStock(name, backend, inputs, attrs as TF.NamedAttrMap);
  console.log(
    'kernel, shape: project ms / shipped ms (CPU time, 1 thread, best of 3; Conv2DBackpropFilter at stride 1: Winograd / the im2col matmul)',
  );
  const line = (what: string, mine: () => TF.TensorInfo, shipped?: () => TF.TensorInfo, note = '(shipped: none)') => {
    const a = best(mine);
    const b = shipped === undefined ? undefined : best(shipped);
    console.log(
      `  ${what.padEnd(62)} ${a.toFixed(1).padStart(7)} ms${b === undefined ? `   ${note}` : ` / ${b.toFixed(1).padStart(7)} ms = ${(b / a).toFixed(1)}x`}`,
    );
  };
  for (const s of [
    [512, 28, 28, 32],
    [256, 32, 32, 32],
    [256, 16, 16, 64],
  ] as [number, number, number, number][]) {
    const x = tf.randomNormal(s);
    const c = tf.randomNormal([1, 1, 1, s[3]]);
    const y = tf.maxPool(x as TF.Tensor4D, 2, 2, 'valid');
    line(
      `Tile [1,1,1,${s[3]}] -> [${s}]`,
      run('Tile', { x: c }, { reps: [s[0], s[1], s[2], 1] }),
      stock('Tile', { x: c }, { reps: [s[0], s[1], s[2], 1] }),
    );
    line(
      `Sum [${s}] over axes 0,1,2`,
      run('Sum', { x }, { axis: [0, 1, 2], keepDims: false }),
      stock('Sum', { x }, { axis: [0, 1, 2], keepDims: false }),
    );
    line(
      `Mean [${s}] over axes 0,1,2`,
      run('Mean', { x }, { axis: [0, 1, 2], keepDims: false }),
      stock('Mean', { x }, { axis: [0, 1, 2], keepDims: false }),
    );
    const mp = { filterSize: 2, strides: 2, pad: 'valid' };
    line(
      `MaxPoolGrad 2x2/2 of [${s}]`,
      run('MaxPoolGrad', { dy: y, input: x, output: y }, mp),
      stock('MaxPoolGrad', { dy: y, input: x, output: y }, mp),
    );
    line(`Cast float32 -> float32 [${s}]`, run('Cast', { x }, { dtype: 'float32' }), stock('Cast', { x }, { dtype: 'float32' }));
    tf.dispose([x, c, y]);
  }
  for (const [n, h, ci, co, st] of [
    [512, 14, 32, 64, 1],
    [256, 32, 32, 32, 1],
    [256, 32, 32, 64, 2],
    [256, 16, 64, 128, 2],
  ]) {
    const x = tf.randomNormal([n!, h!, h!, ci!]);
    const w = tf.randomNormal([3, 3, ci!, co!]);
    const dy = tf.randomNormal([n!, h! / st!, h! / st!, co!]);
    const conv = { strides: st, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
    const tag = `[${n},${h},${h},${ci}] 3x3 -> ${co}, stride ${st}`;
    line(`Conv2D ${tag}`, run('Conv2D', { x, filter: w }, conv), undefined, '(the shipped forward, for scale)');
    const filterArgs = { inputs: { x, dy }, attrs: { ...conv, filterShape: [3, 3, ci, co] } as unknown as TF.NamedAttrMap, backend };
    line(
      `Conv2DBackpropFilter ${tag}`,
      () => conv2DBackpropFilter(filterArgs),
      st === 1 ? () => conv2DBackpropFilter(filterArgs, undefined, false) : undefined,
      '(shipped: none)',
    );
    line(
      `Conv2DBackpropInput ${tag}`,
      run('Conv2DBackpropInput', { dy, filter: w }, { ...conv, inputShape: x.shape }),
      stock('Conv2DBackpropInput', { dy, filter: w }, { ...conv, inputShape: x.shape }),
    );
    tf.dispose([x, w, dy]);
  }
  for (const [m, k, n] of [
    [512, 128, 512],
    [128, 512, 128],
  ]) {
    const a = tf.randomNormal([1, k!, m!]);
    const b = tf.randomNormal([1, k!, n!]);
    line(
      `BatchMatMul transposeA [${k}x${m}]^T x [${k}x${n}]`,
      run('BatchMatMul', { a, b }, { transposeA: true, transposeB: false }),
      stock('BatchMatMul', { a, b }, { transposeA: true, transposeB: false }),
    );
    tf.dispose([a, b]);
  }
  for (const [bt, m, k, n] of [
    [16, 128, 128, 128],
    [4, 256, 64, 256],
    [8, 64, 64, 64],
  ]) {
    const a = tf.randomNormal([bt!, m!, k!]);
    const b = tf.randomNormal([bt!, k!, n!]);
    line(
      `BatchMatMul of ${bt} matrices [${m}x${k}] x [${k}x${n}]`,
      run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }),
      stock('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }),
    );
    tf.dispose([a, b]);
  }
}

export async function main(args: string[]): Promise<void> {
  const o = parse(args);
  if (o.kernels) {
    await kernels();
    return;
  }
  if (o.child) {
    const r = await measure(o.arch, o.backends?.[0] ?? 'wasm', o.steps, o.profile, o.tfjsBn);
    console.log(JSON.stringify(r));
    return;
  }
  if (o.peerPreload !== undefined && !existsSync(o.peerPreload)) throw new Error(`step: --peer-preload ${o.peerPreload}: no such file`);
  const explicit = o.backends !== undefined;
  let backends = o.backends ?? ['native', 'wasm'];
  const peerWhy = !o.peer
    ? 'disabled (--no-peer)'
    : o.arch === 'small-bn'
      ? 'none for small-bn (the peer has no BatchNorm small CNN)'
      : peerUnavailable(peerArch(o.arch));
  console.log(
    `step benchmark: arch ${o.arch}, ${o.steps} timed steps per run, ${o.rounds} rounds, backends ${backends.join(', ')}; peer: ${peerWhy ?? `torch, ${o.peerThreads} threads${o.peerPreload === undefined ? '' : `, LD_PRELOAD ${o.peerPreload}`}`}`,
  );
  const results = new Map<string, StepResult[]>();
  const peer: StepResult[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (const b of [...backends]) {
      const r = runChild(o, b);
      if (typeof r === 'string') {
        console.log(`  round ${round} ${b}: did not run: ${r}`);
        if (!explicit) backends = backends.filter((x) => x !== b); // default list: drop what does not load
        continue;
      }
      console.log(`  round ${round} ${fmt(r)}`);
      results.set(b, [...(results.get(b) ?? []), r]);
      if (o.profile) o.profile = false; // one profile is enough
    }
    if (peerWhy === undefined) {
      const arch = peerArch(o.arch); // the resnet variants run the peer's resnet; small-bn has no peer (peerWhy)
      const r = runPeer(arch, o.steps, o.peerThreads, o.peerPreload);
      if (o.cpu) r.cpuPerStepS = peerCpuPerStep(arch, o.steps, o.peerThreads, o.peerPreload);
      console.log(`  round ${round} ${fmt(r)}`);
      peer.push(r);
    }
  }
  console.log("summary (median over rounds of each run's median step):");
  const peerMed = peer.length > 0 ? median(peer.map((r) => r.imagesPerS)) : undefined;
  const peerCpu = o.cpu ? perCpu(peer) : undefined;
  const cpuText = (v: number | undefined, ref: number | undefined) =>
    v === undefined ? '' : `; ${v.toFixed(1)} images per CPU-second${ref !== undefined ? ` (ratio ${(v / ref).toFixed(3)})` : ''}`;
  if (peerMed !== undefined) {
    console.log(
      `  ${peer[0]!.engine} ${o.peerThreads} threads: ${peerMed.toFixed(1)} images/s, peak RSS ${median(peer.map((r) => r.peakRssMb ?? NaN)).toFixed(0)} MB${cpuText(peerCpu, undefined)}`,
    );
  }
  for (const [b, rs] of results) {
    const m = median(rs.map((r) => r.imagesPerS));
    const ratio = peerMed !== undefined ? `, ratio to PyTorch ${(m / peerMed).toFixed(3)}` : '';
    console.log(
      `  ${rs[0]!.engine} (${b}) ${rs[0]!.threads} threads: ${m.toFixed(1)} images/s${ratio}, peak RSS ${Math.max(...rs.map((r) => r.peakRssMb ?? 0)).toFixed(0)} MB${o.cpu ? cpuText(perCpu(rs), peerCpu) : ''}`,
    );
  }
}
