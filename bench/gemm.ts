/**
 * `npm run bench -- gemm [--size 1024] [--reps 10] [--rounds 3]`: the machine's fp32 FMA peak
 * (an in-register FMA loop in the native addon, AVX2 and AVX-512, 1 and 2 threads) and the
 * GEMM rate at size^3 of the native backend (OpenBLAS through the addon, and through
 * tf.matMul) and of wasm, each as a share of the 2-thread peak. Engines alternate within each
 * round; medians over rounds are reported (other processes may load the machine meanwhile).
 */
import type * as TF from '../src/tf.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function parse(args: string[]): { size: number; reps: number; rounds: number } {
  const o = { size: 1024, reps: 10, rounds: 3 };
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i]!.replace(/^--/, '') as keyof typeof o;
    const v = Number(args[i + 1]);
    if (!(k in o) || !Number.isInteger(v) || v < 1) throw new Error(`gemm: unknown option or bad value '${args[i]} ${args[i + 1]}'`);
    o[k] = v;
  }
  return o;
}

export async function main(args: string[]): Promise<void> {
  const { size, reps, rounds } = parse(args);
  const tf = await import('../src/tf.js');
  const { initBackend } = await import('../src/backend.js');
  const { loadAddon, nativeStatus } = await import('../src/node/native/addon.js');
  const addon = loadAddon();
  if (addon === undefined) {
    console.log(`gemm: native addon not available (${nativeStatus().reason}); nothing to measure`);
    return;
  }
  await initBackend('native');
  const threads = addon.threads();
  const flop = 2 * size ** 3;
  const rate = (s: number) => flop / s / 1e9;
  const a = new Float32Array(size * size).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = new Float32Array(size * size).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(size * size);
  const results: Record<string, number[]> = {};
  const add = (k: string, v: number) => (results[k] ??= []).push(v);
  // read: the result is read with dataSync(), which hands its buffer out, so the native backend's
  // pool cannot reuse it and each call faults in a fresh 4 MB output. Unread (disposed), the output
  // buffer is reused, as inside a training step; the native kernel is synchronous either way.
  const timeMatMul = async (backend: 'native' | 'wasm', n: number, read = true): Promise<number> => {
    await initBackend(backend);
    const ta = tf.tensor2d(a, [size, size]),
      tb = tf.tensor2d(b, [size, size]);
    tf.matMul(ta, tb).dispose(); // warm-up
    const ts: number[] = [];
    for (let r = 0; r < n; r++) {
      const t0 = performance.now();
      const y: TF.Tensor = tf.matMul(ta, tb);
      if (read) y.dataSync();
      ts.push((performance.now() - t0) / 1000);
      y.dispose();
    }
    tf.dispose([ta, tb]);
    return median(ts);
  };
  console.log(`gemm benchmark: ${size}^3 fp32, ${reps} reps per engine and round, ${rounds} rounds, native threads ${threads}`);
  for (let round = 1; round <= rounds; round++) {
    for (const width of [256, 512]) {
      for (const t of [1, 2]) {
        try {
          add(`FMA peak ${width}-bit, ${t} thread${t > 1 ? 's' : ''}`, addon.fmaPeak(t, 1e8, width));
        } catch {
          // the CPU lacks this width
        }
      }
    }
    addon.setThreads(threads);
    addon.gemm(a, b, c, 1, 1, size, size, size, false, false, null, 0, 0);
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      addon.gemm(a, b, c, 1, 1, size, size, size, false, false, null, 0, 0);
      ts.push((performance.now() - t0) / 1000);
    }
    add(`native cblas_sgemm (addon), ${threads} threads`, rate(median(ts)));
    add(`native tf.matMul, ${threads} threads`, rate(await timeMatMul('native', reps)));
    add(`native tf.matMul, ${threads} threads, output unread (pooled buffer)`, rate(await timeMatMul('native', reps, false)));
    try {
      add('wasm tf.matMul', rate(await timeMatMul('wasm', Math.max(2, Math.ceil(reps / 3)))));
    } catch (err) {
      if (round === 1) console.log(`  wasm: ${(err as Error).message.split('\n')[0]}`);
    }
    console.log(
      `  round ${round}: ${Object.entries(results)
        .map(([k, v]) => `${k} ${v.at(-1)!.toFixed(1)}`)
        .join('; ')}`,
    );
  }
  const peakKeys = Object.keys(results).filter((k) => k.startsWith('FMA peak') && k.endsWith('2 threads'));
  const peak2 = Math.max(...peakKeys.map((k) => median(results[k]!)));
  console.log(`summary (median of ${rounds} rounds; 2-thread peak = ${peak2.toFixed(1)} GFLOP/s, the best width):`);
  for (const [k, v] of Object.entries(results)) {
    const m = median(v);
    const share = k.startsWith('FMA') ? '' : `  ${((100 * m) / peak2).toFixed(0)}% of the 2-thread peak`;
    console.log(`  ${k.padEnd(40)} ${m.toFixed(1).padStart(7)} GFLOP/s${share}`);
  }
  await initBackend('cpu');
}
