/**
 * The browser training page: any method of the library (SimCLR, MoCo, InvaSpread, NPID; CMC for
 * colour images) on the bundled sklearn digits or on a folder of your own unlabelled images
 * (picked or dropped; decoded by the browser: `createImageBitmap` + `OffscreenCanvas`; files that
 * do not decode are skipped and counted). Live loss, alignment and uniformity (every few steps,
 * read asynchronously), kNN accuracy on the labelled digits, a 2-D PCA map, a gallery where a
 * click shows an image's nearest neighbours, and downloads of the encoder (TF.js model.json +
 * weights.bin) and of the embeddings (`embeddings.npy` `[N, D]` float32 + `embeddings.ids.txt`).
 *
 * A training step reads nothing back synchronously (`Method.trainStep` resolves its metrics with
 * `await data()`), and the page yields between steps, so the tab stays responsive.
 *
 * URL parameters (used by the headless tests): `steps`, `batch`, `size`, `method`, `evalEvery`,
 * `lr`, `tau` (override the page's recipe, web/page-method.ts), `auto=1` (start at once), `backend` (force one: webgpu, webgl, wasm, cpu),
 * `threads` (wasm threads in a cross-origin isolated page; default one per core, at most 8), `softwareWebgl=1` /
 * `softwareWebgpu=1` (accept a software WebGL / WebGPU adapter), `evalSize` (labelled digits held
 * out to measure, default 500). State for tests: `window.__demo`.
 *
 * Backends (src/backend-loaders/): `initBackend()` takes WebGPU when `navigator.gpu` gives a hardware
 * adapter, else WebGL on a hardware renderer, else wasm. The WebGPU and WebGL packages are
 * imported only when tried, so the build puts each in a chunk of its own that the page fetches
 * only when it uses that backend.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Chart } from 'chart.js/auto';
import * as tf from '../src/tf.js';
import { allowSoftwareWebgpu } from '../src/backend-loaders/webgpu.js';
import { allowSoftwareWebgl } from '../src/backend-loaders/webgl.js';
import { setBrowserWasmThreads } from '../src/backend-loaders/wasm/browser-threads.js';
import { describeBackend, initBackend, type BackendName } from '../src/backend.js';
import { kernelThreadCount, registeredKernelThreads } from '../src/backend-loaders/wasm/kernel-threads.js';
import { BrowserKernelThreads } from '../src/backend-loaders/wasm/browser-kernel-threads.js';
import { heapMemory } from '../src/backend-loaders/wasm/wasm-assembler.js';
import { maybeGunzip } from '../src/data/gunzip.js';
import { csvDataset, parseCsv } from '../src/data/csv.js';
import { holdOut } from './hold-out.js';
import { epochOrder } from '../src/data/batches.js';
import type { Dataset } from '../src/data/dataset.js';
import { ArrayDataset } from '../src/data/array-dataset.js';
import type { Augmentation } from '../src/augment/augmentation.js';
import type { Method } from '../src/methods/method.js';
import { alignmentLoss } from '../src/losses/alignment.js';
import { uniformityLoss } from '../src/losses/uniformity.js';
import { l2Normalize } from '../src/ops/l2-normalize.js';
import { encodeNpy } from '../src/data/npy.js';
import { warmupCosine } from '../src/train/schedules.js';
import { foldedKnnAccuracy } from './folded-knn.js';
import { Rng } from '../src/random.js';
import { pca2 } from './pca.js';
import { decodeImages, type DecodedImages } from './decode-images.js';
import { makePageMethod, PAGE_RECIPE, type PageMethod } from './page-method.js';

interface DemoState {
  backend?: string;
  /** Threads of the backend (wasm: the pool size; more than 1 only in a cross-origin isolated page). */
  threads?: number;
  /** `crossOriginIsolated` of the page: SharedArrayBuffer, so wasm threads, only when true. */
  crossOriginIsolated?: boolean;
  /** wasm: the pthread workers running for XNNPACK's pool (threads - 1: the page's thread is the other). */
  wasmPoolWorkers?: number;
  /** wasm: threads the project's own kernels split their calls over (its Web Workers and the page's thread). */
  kernelThreads?: number;
  /** wasm: parts of those kernels' calls run on the Web Workers so far (read when training ends). */
  kernelPartsOnWorkers?: number;
  /** Faster backends that did not load here, with the reason. */
  skipped?: { name: string; reason: string }[];
  /** WebGPU on this page: navigator.gpu exists; the webgpu backend factory is registered (after initBackend). */
  webgpu?: { navigatorGpu: boolean; factoryRegistered: boolean };
  /** The images trained on: 'digits' or 'files' (your own), how many, and files that did not decode. */
  source: 'digits' | 'files';
  images: number;
  badFiles: number;
  method?: PageMethod;
  losses: number[];
  /** Alignment and uniformity of the embeddings on a fixed probe batch, every few steps. */
  health: { step: number; alignment: number; uniformity: number }[];
  knn: { step: number; accuracy: number }[];
  scatterUpdates: number;
  /** Training images per second over the last run's steps (time in the steps only). */
  imagesPerSec?: number;
  /** Milliseconds of each training step of the last run (the first ones include shader compilation on WebGPU/WebGL). */
  stepMs: number[];
  /** The last neighbour view: the clicked image's id and its neighbours' ids, nearest first. */
  neighbours?: { id: string; ids: string[] };
  running: boolean;
  done: boolean;
  error?: string;
}
const state: DemoState = {
  source: 'digits',
  images: 0,
  badFiles: 0,
  losses: [],
  stepMs: [],
  health: [],
  knn: [],
  scatterUpdates: 0,
  running: false,
  done: false,
};
(window as unknown as { __demo: DemoState }).__demo = state;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const yieldToPage = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

Chart.defaults.animation = false;
const lossChart = new Chart($<HTMLCanvasElement>('loss'), {
  type: 'line',
  data: {
    datasets: [
      { label: 'loss', data: [] as { x: number; y: number }[], borderColor: PALETTE[0], pointRadius: 0, borderWidth: 1.5 },
      {
        label: 'alignment',
        data: [] as { x: number; y: number }[],
        borderColor: PALETTE[1],
        pointRadius: 2,
        borderWidth: 1,
        yAxisID: 'y2',
      },
      {
        label: 'uniformity',
        data: [] as { x: number; y: number }[],
        borderColor: PALETTE[4],
        pointRadius: 2,
        borderWidth: 1,
        yAxisID: 'y2',
      },
    ],
  },
  options: {
    responsive: false,
    parsing: false,
    scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y2: { position: 'right' } },
  },
});
const knnChart = new Chart($<HTMLCanvasElement>('knn'), {
  type: 'line',
  data: {
    datasets: [
      {
        label: 'kNN accuracy',
        data: [] as { x: number; y: number }[],
        borderColor: PALETTE[2],
        backgroundColor: PALETTE[2],
        pointRadius: 3,
      },
    ],
  },
  options: {
    responsive: false,
    parsing: false,
    scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: { min: 0, max: 1 } },
  },
});
const scatterChart = new Chart($<HTMLCanvasElement>('scatter'), {
  type: 'scatter',
  data: {
    datasets: Array.from({ length: 10 }, (_, c) => ({
      label: String(c),
      data: [] as { x: number; y: number }[],
      backgroundColor: PALETTE[c],
      pointRadius: 2.5,
    })),
  },
  options: { responsive: false, plugins: { legend: { position: 'right' } } },
});

async function loadDigits(): Promise<Dataset> {
  const res = await fetch('digits.csv.gz');
  if (!res.ok) throw new Error(`digits.csv.gz: HTTP ${res.status} (build the page with npm run demo:web)`);
  const text = new TextDecoder().decode(await maybeGunzip(new Uint8Array(await res.arrayBuffer()), 'digits.csv.gz'));
  return csvDataset(parseCsv(text, 'digits.csv.gz', { numClasses: 10 }), { name: 'digits', as: 'image' });
}

/** What a run trains on: a dataset of images, their ids, and (digits) a labelled slice that measures. */
interface Source {
  train: Dataset;
  /** Every image of `train`'s source in gallery order (own images: all of them; digits: the labelled slice). */
  gallery: { x: Float32Array; ids: string[]; labels?: Int32Array; shape: [number, number, number] };
}

let ownImages: DecodedImages | undefined;

async function digitsSource(): Promise<Source> {
  const all = await loadDigits();
  const { train, evalRows } = holdOut(all, Number(params.get('evalSize') ?? 500));
  const b = await all.getBatch(evalRows);
  return {
    train,
    gallery: { x: b.x as Float32Array, ids: Array.from(evalRows, (i) => `digits:${i}`), labels: b.labels!, shape: [8, 8, 1] },
  };
}

function filesSource(d: DecodedImages): Source {
  const shape: [number, number, number] = [d.size, d.size, d.channels];
  const train = new ArrayDataset({ name: 'your images', kind: 'image', sampleShape: shape, values: d.values });
  return { train, gallery: { x: d.values, ids: d.ids, shape } };
}

/** Embeddings h of the gallery images, `[N, D]` on the host (read asynchronously, in batches). */
async function embedAll(method: Method, g: Source['gallery']): Promise<{ values: Float32Array; dim: number }> {
  const per = g.shape[0] * g.shape[1] * g.shape[2];
  const n = g.x.length / per;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let i = 0; i < n; i += 256) {
    const m = Math.min(256, n - i);
    const x = tf.tensor4d(g.x.subarray(i * per, (i + m) * per), [m, ...g.shape]);
    const h = method.embed(x);
    x.dispose();
    dim = h.shape[1];
    parts.push((await h.data()) as Float32Array);
    h.dispose();
  }
  const values = new Float32Array(n * dim);
  let o = 0;
  for (const p of parts) {
    values.set(p, o);
    o += p.length;
  }
  return { values, dim };
}

let embeddings: { values: Float32Array; dim: number; ids: string[] } | undefined;

/** kNN accuracy (labelled digits: each a query once, web/folded-knn.ts), the PCA map and the gallery's embeddings. */
async function measure(method: Method, g: Source['gallery'], step: number): Promise<void> {
  const { values, dim } = await embedAll(method, g);
  embeddings = { values, dim, ids: g.ids };
  if (g.labels !== undefined) {
    const accuracy = await foldedKnnAccuracy(values, dim, g.labels);
    state.knn.push({ step, accuracy });
    knnChart.data.datasets[0]!.data.push({ x: step, y: accuracy });
    knnChart.update('none');
  }
  const { x, y } = pca2(values, dim);
  scatterChart.data.datasets.forEach((d, c) => {
    d.data = [];
    for (let i = 0; i < x.length; i++) if ((g.labels?.[i] ?? 0) === c) d.data.push({ x: x[i]!, y: y[i]! });
  });
  scatterChart.update('none');
  state.scatterUpdates += 1;
}

/** Alignment and uniformity (Wang & Isola 2020) of the normalised h of two views of a probe batch, read asynchronously. */
async function health(method: Method, probe: tf.Tensor, augmentation: Augmentation, rng: Rng, step: number): Promise<void> {
  const [a, u] = tf.tidy(() => {
    const z1 = l2Normalize(method.embed(augmentation(probe, rng)));
    const z2 = l2Normalize(method.embed(augmentation(probe, rng)));
    return [alignmentLoss(z1, z2), uniformityLoss(tf.concat([z1, z2]))];
  });
  const [alignment, uniformity] = await Promise.all([a.data(), u.data()]).then((v) => v.map((t) => t[0]!));
  tf.dispose([a, u]);
  state.health.push({ step, alignment: alignment!, uniformity: uniformity! });
  lossChart.data.datasets[1]!.data.push({ x: step, y: alignment! });
  lossChart.data.datasets[2]!.data.push({ x: step, y: uniformity! });
}

/** A small canvas image of row `i` of the gallery. */
function thumbnail(g: Source['gallery'], i: number): HTMLCanvasElement {
  const [h, w, c] = g.shape;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const img = new ImageData(w, h);
  for (let p = 0; p < w * h; p++) {
    for (let k = 0; k < 3; k++) img.data[p * 4 + k] = Math.round(255 * g.x[(i * w * h + p) * c + (c === 3 ? k : 0)]!);
    img.data[p * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
  canvas.title = g.ids[i]!;
  canvas.className = 'thumb';
  return canvas;
}

/** The `k` rows nearest to row `i` by cosine similarity of the embeddings (itself excluded). */
function nearest(i: number, k: number): number[] {
  const { values, dim } = embeddings!;
  const n = values.length / dim;
  const norm = (r: number): number => Math.sqrt(values.subarray(r * dim, (r + 1) * dim).reduce((s, v) => s + v * v, 0)) || 1;
  const qi = norm(i);
  const sims: [number, number][] = [];
  for (let r = 0; r < n; r++) {
    if (r === i) continue;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += values[i * dim + j]! * values[r * dim + j]!;
    sims.push([dot / (qi * norm(r)), r]);
  }
  return sims
    .sort((a, b) => b[0] - a[0])
    .slice(0, k)
    .map(([, r]) => r);
}

function showGallery(g: Source['gallery']): void {
  const box = $('gallery');
  box.textContent = '';
  const n = Math.min(g.ids.length, 96);
  for (let i = 0; i < n; i++) {
    const t = thumbnail(g, i);
    t.dataset.row = String(i);
    t.addEventListener('click', () => {
      if (embeddings === undefined) return;
      const near = nearest(i, 8);
      state.neighbours = { id: g.ids[i]!, ids: near.map((r) => g.ids[r]!) };
      const view = $('neighbours');
      view.textContent = `nearest to ${g.ids[i]}: `;
      view.append(thumbnail(g, i), ' -> ', ...near.map((r) => thumbnail(g, r)));
    });
    box.append(t);
  }
}

function download(name: string, data: BlobPart, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

let stopRequested = false;
let trained: Method | undefined;

async function run(): Promise<void> {
  const steps = Number($<HTMLInputElement>('steps').value);
  const batchSize = Number($<HTMLInputElement>('batch').value);
  const methodName = $<HTMLSelectElement>('method').value as PageMethod;
  const evalEvery = Number(params.get('evalEvery') ?? Math.max(10, Math.round(steps / 15)));
  const healthEvery = Math.max(1, Math.min(evalEvery, 10));
  state.running = true;
  state.done = false;
  state.error = undefined;
  stopRequested = false;
  $('start').setAttribute('disabled', '');
  $('stop').removeAttribute('disabled');
  $('download').setAttribute('disabled', '');
  $('download-embeddings').setAttribute('disabled', '');
  trained?.dispose();
  trained = undefined;
  embeddings = undefined;
  state.losses = [];
  state.stepMs = [];
  state.health = [];
  state.knn = [];
  state.neighbours = undefined;
  state.method = methodName;
  lossChart.data.datasets.forEach((d) => (d.data = []));
  knnChart.data.datasets[0]!.data = [];
  $('neighbours').textContent = '';

  const useFiles = $<HTMLSelectElement>('source').value === 'files';
  if (useFiles && ownImages === undefined) throw new Error('pick or drop a folder of images first (or choose the bundled digits)');
  const src = useFiles ? filesSource(ownImages!) : await digitsSource();
  state.source = useFiles ? 'files' : 'digits';
  state.images = src.train.size;
  showGallery(src.gallery);
  const seed = 0;
  const shape = src.train.sampleShape as [number, number, number];
  const recipe = {
    learningRate: Number(params.get('lr') ?? PAGE_RECIPE.learningRate),
    simclrTemperature: Number(params.get('tau') ?? PAGE_RECIPE.simclrTemperature),
  };
  const { method, augmentation } = makePageMethod(methodName, shape, src.train.size, { seed, forDigits: !useFiles, recipe });
  trained = method;
  // steps = 0: only the untrained encoder is measured (the WebGPU test on a software adapter)
  const schedule = warmupCosine({ baseLr: recipe.learningRate, totalSteps: Math.max(1, steps), warmupSteps: Math.round(steps / 10) });
  const rng = new Rng(seed);
  const b = Math.min(batchSize, src.train.size);
  await method.prepare?.(src.train, { batchSize: b });
  const probeRows = Int32Array.from({ length: Math.min(256, src.train.size) }, (_, i) => i);
  const probeBatch = await src.train.getBatch(probeRows);
  const probe = tf.tensor(probeBatch.x, probeBatch.shape);
  const healthRng = new Rng(seed + 1);
  let order = epochOrder(src.train.size, { shuffle: true, rng });
  let at = 0;
  await measure(method, src.gallery, 0);
  await health(method, probe, augmentation, healthRng, 0);
  let trainMs = 0; // time in training steps only (not in the measurements)
  let done = 0;
  try {
    for (let step = 1; step <= steps && !stopRequested; step++) {
      if (at + b > order.length) {
        order = epochOrder(src.train.size, { shuffle: true, rng });
        at = 0;
      }
      const batch = await src.train.getBatch(order.subarray(at, at + b));
      at += b;
      method.optimizer.learningRate = schedule(step - 1);
      const x = tf.tensor(batch.x, batch.shape);
      let loss: number;
      const ts = performance.now();
      try {
        loss = (await method.trainStep({ x, indices: batch.indices }, rng)).loss; // read asynchronously: the tab stays responsive
      } finally {
        x.dispose();
      }
      const ms = performance.now() - ts;
      trainMs += ms;
      state.stepMs.push(ms);
      done = step;
      state.losses.push(loss);
      lossChart.data.datasets[0]!.data.push({ x: step, y: loss });
      if (step % healthEvery === 0 || step === steps) await health(method, probe, augmentation, healthRng, step);
      if (step % 5 === 0 || step === steps) lossChart.update('none');
      if (step % evalEvery === 0 || step === steps) await measure(method, src.gallery, step);
      state.imagesPerSec = (step * b * 1000) / trainMs;
      $('status').textContent =
        `${methodName}, step ${step}/${steps}, loss ${loss.toFixed(3)}, ${state.imagesPerSec.toFixed(0)} images/s, ${tf.memory().numTensors} tensors`;
      await yieldToPage();
    }
    if (done < steps && done > 0) await measure(method, src.gallery, done); // stopped early: measure where it stopped
  } finally {
    probe.dispose();
  }
  lossChart.update('none');
  const workers = registeredKernelThreads();
  if (workers instanceof BrowserKernelThreads) state.kernelPartsOnWorkers = workers.partsOnWorkers;
  state.running = false;
  state.done = true;
  $('start').removeAttribute('disabled');
  $('stop').setAttribute('disabled', '');
  $('download').removeAttribute('disabled');
  $('download-embeddings').removeAttribute('disabled');
}

async function pickFiles(files: File[]): Promise<void> {
  const size = Number($<HTMLInputElement>('size').value);
  const images = files.filter((f) => !f.name.startsWith('.'));
  $('files-status').textContent = `decoding ${images.length} files...`;
  const d = await decodeImages(images, size, (k, n) => {
    if (k % 20 === 0 || k === n) $('files-status').textContent = `decoding ${k}/${n}...`;
  });
  ownImages = d;
  state.badFiles = d.skipped.length;
  state.images = d.ids.length;
  $('files-status').textContent =
    `${d.ids.length} images (${d.channels === 3 ? 'colour' : 'grey'}, ${size}x${size}); ${d.skipped.length} file${d.skipped.length === 1 ? '' : 's'} skipped${
      d.skipped.length > 0
        ? ` (${d.skipped
            .slice(0, 3)
            .map((s) => s.name)
            .join(', ')}${d.skipped.length > 3 ? ', ...' : ''}: not a readable image)`
        : ''
    }`;
  $<HTMLSelectElement>('source').value = 'files';
  $<HTMLOptionElement>('method-cmc').disabled = d.channels !== 3;
  if (d.channels !== 3 && $<HTMLSelectElement>('method').value === 'cmc') $<HTMLSelectElement>('method').value = 'simclr';
}

async function main(): Promise<void> {
  for (const k of ['steps', 'batch', 'size', 'method'] as const) if (params.has(k)) $<HTMLInputElement>(k).value = params.get(k)!;
  setWasmPaths(new URL('./', location.href).href); // the .wasm files sit beside main.js
  const wanted = params.get('backend');
  if (params.get('softwareWebgl') === '1') allowSoftwareWebgl();
  if (params.get('softwareWebgpu') === '1') allowSoftwareWebgpu();
  if (params.has('threads')) setBrowserWasmThreads(Number(params.get('threads')));
  const info = await initBackend(wanted === null || wanted === '' ? undefined : (wanted as BackendName));
  state.backend = info.name;
  state.threads = info.threads;
  state.crossOriginIsolated = crossOriginIsolated;
  if (info.name === 'wasm') {
    const wasm = (tf.backend() as { wasm?: { PThread?: { runningWorkers?: unknown[] } } }).wasm;
    state.wasmPoolWorkers = wasm?.PThread?.runningWorkers?.length ?? 0;
    const heap = heapMemory(tf.backend() as unknown as { wasm: unknown });
    state.kernelThreads = heap === undefined ? 1 : kernelThreadCount(heap);
  }
  state.skipped = info.skipped;
  state.webgpu = { navigatorGpu: 'gpu' in navigator, factoryRegistered: tf.findBackendFactory('webgpu') !== null };
  $('backend').textContent =
    describeBackend(info) +
    (info.name === 'wasm' && !crossOriginIsolated
      ? '. One wasm thread: the page is not cross-origin isolated (serve it with COOP/COEP headers, as contrastive serve does, for one thread per core)'
      : '');
  const fail = (err: unknown): void => {
    state.error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    state.running = false;
    $('error').textContent = state.error;
    $('start').removeAttribute('disabled');
    $('stop').setAttribute('disabled', '');
  };
  $('start').addEventListener('click', () => void run().catch(fail));
  $('stop').addEventListener('click', () => {
    stopRequested = true;
  });
  $('download').addEventListener('click', () => {
    void trained?.encoder.save(`downloads://contrastive-${state.method ?? 'simclr'}-encoder`).catch(fail);
  });
  $('download-embeddings').addEventListener('click', () => {
    if (embeddings === undefined) return;
    const n = embeddings.ids.length;
    download('embeddings.npy', encodeNpy(embeddings.values, [n, embeddings.dim]) as BlobPart, 'application/octet-stream');
    download('embeddings.ids.txt', embeddings.ids.map((id) => id.replace(/[\r\n]/g, ' ')).join('\n') + '\n', 'text/plain');
  });
  for (const id of ['files', 'folder']) {
    $<HTMLInputElement>(id).addEventListener(
      'change',
      (e) => void pickFiles(Array.from((e.target as HTMLInputElement).files ?? [])).catch(fail),
    );
  }
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    void pickFiles(Array.from(e.dataTransfer?.files ?? [])).catch(fail);
  });
  if (params.get('auto') === '1') await run().catch(fail);
}

main().catch((err: unknown) => {
  state.error = err instanceof Error ? err.message : String(err);
  $('error').textContent = state.error;
});
