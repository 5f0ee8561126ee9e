/**
 * Backend selection. `initBackend()` picks the fastest engine that loads here:
 * Node: tensorflow (@tensorflow/tfjs-node, when installed) > native (the project's oneDNN addon)
 * > wasm (with the project's training kernels) > cpu. Browser: webgpu > webgl > wasm > cpu.
 * `CONTRASTIVE_BACKEND` forces one by name.
 */
import * as tf from './tf.js';
import { BackendError, ConfigError } from './errors.js';
import { routeGruLayers } from './models/gru-layer.js';
import { routeLstmLayers } from './models/lstm-layer.js';
import { routeConv2dLayers } from './models/conv2d-layer.js';

export type BackendName = 'tensorflow' | 'native' | 'wasm' | 'webgpu' | 'webgl' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'native', 'wasm', 'webgpu', 'webgl', 'cpu'];

/** What `initBackend` chose, and why the faster ones were not used. */
export interface BackendInfo {
  /** The backend now active in `tf`. */
  name: BackendName;
  /** Threads its kernels use. */
  threads: number;
  /** Faster backends that were tried and did not load, with the reason. */
  skipped: { name: BackendName; reason: string }[];
}

/** How one backend is loaded: `load` registers it (or throws with the reason it cannot load). */
export interface BackendProvider {
  /** Higher is tried first. */
  priority: number;
  /** Runtimes where it can exist at all. */
  runtime: 'node' | 'browser' | 'any';
  /** Imports and registers the backend with tf; throws with a one-line reason when it cannot. */
  load(): Promise<void>;
  /** Threads its kernels use, asked once the backend is active. */
  threads(): number;
}

const providers = new Map<BackendName, BackendProvider>();

/** Registers (or replaces) how a backend is loaded. Used by `src/backend-loaders/` and `src/node/`. */
export function registerBackendProvider(name: BackendName, provider: BackendProvider): void {
  providers.set(name, provider);
}

/** True in Node.js (not in a browser or a web worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function envBackend(): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = p?.env?.CONTRASTIVE_BACKEND;
  return v === undefined || v === '' ? undefined : v;
}

let nodeProvidersLoaded: Promise<void> | undefined;

/** Loads the Node-only providers (tensorflow, native, wasm threads) without a literal import a bundler would follow. */
async function loadNodeProviders(): Promise<void> {
  if (!isNode()) return;
  nodeProvidersLoaded ??= (async () => {
    const path = './node/node-backend-loaders.js';
    await import(/* @vite-ignore */ path);
  })();
  await nodeProvidersLoaded;
}

let current: BackendInfo | undefined;

/**
 * Runs one small op on the backend just activated and checks its result: a backend can register
 * and still fail at its first kernel (tfjs-node 4.22 on Node 23 and later, say). Throws the reason.
 */
async function checkFirstOp(name: BackendName): Promise<void> {
  let y: tf.Tensor | undefined;
  try {
    y = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 1, 1], [2, 2])), 1));
    const v = Array.from(await y.data());
    if (v.join(',') !== '4,3,8,5') throw new Error(`first op gave [${v.join(', ')}] instead of [4, 3, 8, 5]`);
  } catch (err) {
    throw new Error(`backend '${name}' failed its first op: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  } finally {
    y?.dispose();
  }
}

/**
 * Activates a backend. Without `name` (and without `CONTRASTIVE_BACKEND`) tries each available
 * backend from fastest to slowest and keeps the first that loads. Routes tfjs-layers' GRU and LSTM
 * layers to the backend's sequence kernels where it has them (src/models/recurrent-routing.ts), and
 * bias-free linear Conv2D layers to `tf.conv2d` (src/models/conv2d-layer.ts).
 * @throws ConfigError for an unknown name; BackendError when the named backend cannot load.
 */
export async function initBackend(name?: BackendName): Promise<BackendInfo> {
  const wanted = name ?? envBackend();
  // tfjs-layers' GRU and LSTM layers reach the sequence kernels of a backend that has them;
  // bias-free linear Conv2D layers skip the first layer's unused input gradient
  routeGruLayers();
  routeLstmLayers();
  routeConv2dLayers();
  if (wanted !== undefined && !(BACKEND_NAMES as readonly string[]).includes(wanted)) {
    const from = name === undefined ? 'CONTRASTIVE_BACKEND' : 'name';
    throw new ConfigError('initBackend', from, `must be one of ${BACKEND_NAMES.join(', ')}, got '${wanted}'`);
  }
  await import('./backend-loaders/wasm.js');
  await loadNodeProviders();
  const runtime = isNode() ? 'node' : 'browser';
  const candidates = [...providers.entries()]
    .filter(([n, p]) => (wanted === undefined ? p.runtime === 'any' || p.runtime === runtime : n === wanted))
    .sort((a, b) => b[1].priority - a[1].priority);
  if (wanted !== undefined && candidates.length === 0) {
    throw new BackendError('initBackend', 'name', `backend '${wanted}' is not available in this runtime (${runtime})`);
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const [n, p] of candidates) {
    try {
      await p.load();
      if (!(await tf.setBackend(n))) throw new Error(`tf.setBackend('${n}') returned false`);
      await tf.ready();
      await checkFirstOp(n);
      current = { name: n, threads: p.threads(), skipped };
      return current;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      if (wanted !== undefined) throw new BackendError('initBackend', 'name', `backend '${n}' did not load: ${reason}`);
      skipped.push({ name: n, reason });
    }
  }
  throw new BackendError('initBackend', undefined, `no backend loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** The backend chosen by the last `initBackend`, or undefined before it ran. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** One line for the CLI: `backend native, 2 threads (tensorflow: not installed)`. */
export function describeBackend(info: BackendInfo): string {
  const s = `backend ${info.name}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  return info.skipped.length === 0 ? s : `${s} (${info.skipped.map((k) => `${k.name}: ${k.reason}`).join('; ')})`;
}

registerBackendProvider('cpu', {
  priority: 0,
  runtime: 'any',
  load: async () => {},
  threads: () => 1,
});
