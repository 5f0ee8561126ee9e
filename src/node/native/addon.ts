/**
 * Loads the optional native addon (build/Release/contrastive_native.node, built by
 * scripts/build-native.mjs from native/) and records why it did not load, for `contrastive doctor`.
 * On x86-64 the build also makes contrastive_native_avx2.node (the same kernels compiled for AVX2
 * + FMA, see binding.gyp): it is loaded instead when the CPU has both.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions the addon exports. Float32Arrays are read and written in place. */
export interface NativeAddon {
  /** c = act(op(a) x op(b) + bias), batched; a/b batch 1 broadcasts. */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, bias: Float32Array | null, activation: number, alpha: number): void;
  /** params: [N, H, W, C, KH, KW, O, OH, OW, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight]. */
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, params: number[], bias: Float32Array | null, activation: number, alpha: number): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, params: number[]): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, params: number[]): void;
  convCacheSize(): number;
  /** Depthwise convolution; params as conv2d's with the channel multiplier M in place of O (filters [KH, KW, C, M]). */
  depthwiseConv2d(x: Float32Array, w: Float32Array, y: Float32Array, params: number[], bias: Float32Array | null, activation: number, alpha: number): void;
  depthwiseConv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, params: number[]): void;
  depthwiseConv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, params: number[]): void;
  /** y = min(max(x, lo), hi) over n floats, of relu(x) when reluFirst. */
  clip(x: Float32Array, y: Float32Array, n: number, lo: number, hi: number, reluFirst?: boolean): void;
  /** dx = dy where lo <= x <= hi, else 0 (relu6: where lo < x <= hi, and NaN at NaN). */
  clipGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, n: number, lo: number, hi: number, relu6: boolean): void;
  /** oneDNN's implementation names of the three depthwise primitives for `params` (diagnostics). */
  depthwiseImpl(params: number[]): { forward: string; backwardData: string; backwardWeights: string };
  /** params: [N, H, W, C, KH, KW, OH, OW, sh, sw, padTop, padLeft]. */
  maxPool(x: Float32Array, y: Float32Array, params: number[]): void;
  avgPool(x: Float32Array, y: Float32Array, params: number[]): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, params: number[]): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, params: number[]): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, shape: number[], aStrides: number[], bStrides: number[]): void;
  /** out[i] = a <op> b (1/0), broadcast like `binary`; op: Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual. */
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, shape: number[], aStrides: number[], bStrides: number[]): void;
  unary(op: number, x: Float32Array, y: Float32Array, n: number, alpha: number): void;
  tile(x: Float32Array, out: Float32Array, inShape: number[], reps: number[]): void;
  /** For every index i of `shape`: out[dstOffset + i . dstStrides] = x[srcOffset + i . srcStrides] (strides >= 0). */
  stridedCopy(x: Float32Array, out: Float32Array, shape: number[], srcStrides: number[], srcOffset: number, dstStrides: number[], dstOffset: number): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): void;
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null,
    y: Float32Array, rows: number, channels: number, epsilon: number): void;
  /** dx (unless null) and the per-channel gradients of FusedBatchNorm (mean and variance as inputs). */
  batchNormGrad(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array | null,
    dx: Float32Array | null, dmean: Float32Array, dvariance: Float32Array, dscale: Float32Array, doffset: Float32Array,
    rows: number, channels: number, epsilon: number): void;
  /** Training-mode batch norm of x as [rows, channels]: y, and the batch mean and biased variance per channel. */
  batchNormTrain(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array,
    rows: number, channels: number, epsilon: number): void;
  /** Gradient of batchNormTrain: dx, dgamma, dbeta from dy and the gradients dmean, dvariance of its statistics. */
  batchNormTrainGrad(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array,
    dmean: Float32Array, dvariance: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
    rows: number, channels: number, epsilon: number): void;
  /** GRU over a sequence (native/gru.cc): x [B, T, D] -> every state h [B, T, U] and the gates z, r, h~ [B, T, 3U]. */
  gruForward(x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, bias: Float32Array, h: Float32Array, gates: Float32Array,
    b: number, t: number, d: number, u: number, hardSigmoid: boolean): void;
  /** Back-propagation through time of gruForward: dx, dKernel, dRecurrentKernel, dBias from dL/dh (dy). */
  gruBackward(dy: Float32Array, x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, h: Float32Array, gates: Float32Array,
    dx: Float32Array, dKernel: Float32Array, dRecurrentKernel: Float32Array, dBias: Float32Array,
    b: number, t: number, d: number, u: number, hardSigmoid: boolean): void;
  /** LSTM over a sequence (native/lstm.cc): x [B, T, D] -> every h [B, T, U], c [B, T, U] and the gates i, f, g, o [B, T, 4U]. */
  lstmForward(x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, bias: Float32Array, h: Float32Array, c: Float32Array,
    gates: Float32Array, b: number, t: number, d: number, u: number, hardSigmoid: boolean): void;
  /** Back-propagation through time of lstmForward: dx, dKernel, dRecurrentKernel, dBias from dL/dh (dy). */
  lstmBackward(dy: Float32Array, x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, h: Float32Array, c: Float32Array,
    gates: Float32Array, dx: Float32Array, dKernel: Float32Array, dRecurrentKernel: Float32Array, dBias: Float32Array,
    b: number, t: number, d: number, u: number, hardSigmoid: boolean): void;
  /** out = gamma * dense + alpha * base + beta per channel of [rows, C], or (alpha * base + beta)^2 when square (dense, base: null for none). */
  channelAffine(out: Float32Array, rows: number, C: number, dense: Float32Array | null, gamma: Float32Array, base: Float32Array | null,
    alpha: Float32Array, beta: Float32Array, square: boolean): void;
  /** sums[c] = scale * the sum over rows of channelAffine's value, without writing it. */
  channelAffineSum(sums: Float32Array, rows: number, C: number, dense: Float32Array | null, gamma: Float32Array, base: Float32Array | null,
    alpha: Float32Array, beta: Float32Array, square: boolean, scale: number): void;
  /** GFLOP/s of an in-register FMA loop on `threads` threads; width 256 (AVX2) or 512 (AVX-512). */
  fmaPeak(threads: number, iterations: number, width?: number): number;
  /** Whether this CPU has the instruction set: avx2, fma or avx512f (false on other architectures). */
  cpuSupports(name: 'avx2' | 'fma' | 'avx512f'): boolean;
  setThreads(threads: number): void;
  threads(): number;
  version(): { dnnl: string; dnnlCpuRuntime: string; blas: string };
  throwTest(): never;
}

/** Whether the addon loaded, where from, or why not. */
export interface NativeStatus {
  loaded: boolean;
  /** Why it did not load (one line), when it did not. */
  reason?: string;
  /** The .node file it loaded, or the one it tried. */
  path?: string;
}

/** The package root: the nearest folder above this file whose package.json is `contrastive`. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'contrastive') return dir;
      } catch {
        // unreadable package.json: keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

let addon: NativeAddon | undefined;
let status: NativeStatus | undefined;

/** Why the addon file is missing, and how to build it here (from a clone or from an installed package). */
function notBuiltReason(path: string, root: string | undefined): string {
  if (process.platform === 'win32') return 'not built: the native backend does not support Windows yet';
  const deps = process.platform === 'darwin' ? 'brew install onednn openblas libomp' : 'apt-get install libdnnl-dev libopenblas-dev';
  const script = root === undefined ? 'scripts/build-native.mjs' : join(root, 'scripts', 'build-native.mjs');
  return `not built (${path} missing): ${deps}, then node ${script} --verbose`;
}

/** Loads the addon once (`CONTRASTIVE_NATIVE_ADDON` overrides its path); undefined when it cannot. */
export function loadAddon(): NativeAddon | undefined {
  if (status !== undefined) return addon;
  const root = packageRoot();
  const path = process.env.CONTRASTIVE_NATIVE_ADDON || (root === undefined ? undefined : join(root, 'build', 'Release', 'contrastive_native.node'));
  if (path === undefined) {
    status = { loaded: false, reason: 'package root not found' };
    return undefined;
  }
  if (!existsSync(path)) {
    status = { loaded: false, path, reason: notBuiltReason(path, root) };
    return undefined;
  }
  try {
    const load = createRequire(import.meta.url);
    addon = load(path) as NativeAddon;
    status = { loaded: true, path };
    const avx2 = path.replace(/\.node$/, '_avx2.node');
    if (!process.env.CONTRASTIVE_NATIVE_ADDON && existsSync(avx2) && addon.cpuSupports('avx2') && addon.cpuSupports('fma')) {
      addon = load(avx2) as NativeAddon;
      status = { loaded: true, path: avx2 };
    }
  } catch (err) {
    status = { loaded: false, path, reason: `failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
  return addon;
}

/** Whether the native addon loaded; `reason` says why not. Safe to call any time. */
export function nativeStatus(): NativeStatus {
  loadAddon();
  return { ...status! };
}
