/**
 * The browser training demo: SimCLR on the bundled sklearn digits (8x8 grey) with the library's
 * own pieces (initBackend, convNet, projectionHead, smallGrey, simclr, Optimizer, warmupCosine,
 * knnAccuracy), a live loss curve, live kNN accuracy and a live PCA scatter of the
 * representation, and a download of the trained encoder (TF.js model.json + weights.bin).
 *
 * URL parameters (used by the headless test): `steps`, `batch`, `evalEvery`, `auto=1` (start at
 * once), `backend` (force one: webgpu, webgl, wasm, cpu), `softwareWebgl=1` / `softwareWebgpu=1` (accept a
 * software WebGL / WebGPU adapter), `evalSize` (labelled images held out to measure, default 500).
 * State for tests: `window.__demo`.
 *
 * Backends (src/backends/): `initBackend()` takes WebGPU when `navigator.gpu` gives a hardware
 * adapter, else WebGL on a hardware renderer, else wasm. The WebGPU and WebGL packages are
 * imported only when tried, so the build puts each in a chunk of its own that the page fetches
 * only when it uses that backend.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Chart } from 'chart.js/auto';
import * as tf from '../src/tf.js';
import { allowSoftwareWebgpu } from '../src/backends/webgpu.js';
import { allowSoftwareWebgl } from '../src/backends/webgl.js';
import { describeBackend, initBackend, type BackendName } from '../src/backend.js';
import { maybeGunzip } from '../src/data/gunzip.js';
import { csvDataset, parseCsv } from '../src/data/csv.js';
import { stratifiedLimit } from '../src/data/stratified-limit.js';
import { subset } from '../src/data/subset.js';
import { epochOrder } from '../src/data/batches.js';
import type { Dataset } from '../src/data/dataset.js';
import { convNet } from '../src/models/conv-net.js';
import { projectionHead } from '../src/models/projection-head.js';
import { smallGrey } from '../src/augment/presets.js';
import { simclr } from '../src/methods/simclr.js';
import type { Method } from '../src/methods/method.js';
import { Optimizer } from '../src/optim/optimizers.js';
import { warmupCosine } from '../src/train/schedules.js';
import { knnAccuracy } from '../src/eval/knn.js';
import { Rng } from '../src/random.js';
import { pca2 } from './pca.js';

interface DemoState {
  backend?: string;
  /** Faster backends that did not load here, with the reason. */
  skipped?: { name: string; reason: string }[];
  /** WebGPU on this page: navigator.gpu exists; the webgpu backend factory is registered (after initBackend). */
  webgpu?: { navigatorGpu: boolean; factoryRegistered: boolean };
  losses: number[];
  knn: { step: number; accuracy: number }[];
  scatterUpdates: number;
  running: boolean;
  done: boolean;
  error?: string;
}
const state: DemoState = { losses: [], knn: [], scatterUpdates: 0, running: false, done: false };
(window as unknown as { __demo: DemoState }).__demo = state;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const yieldToPage = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

Chart.defaults.animation = false;
const lossChart = new Chart($<HTMLCanvasElement>('loss'), {
  type: 'line',
  data: { datasets: [{ label: 'loss', data: [] as { x: number; y: number }[], borderColor: PALETTE[0], pointRadius: 0, borderWidth: 1.5 }] },
  options: { responsive: false, parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'step' } } } },
});
const knnChart = new Chart($<HTMLCanvasElement>('knn'), {
  type: 'line',
  data: { datasets: [{ label: 'kNN accuracy', data: [] as { x: number; y: number }[], borderColor: PALETTE[2], backgroundColor: PALETTE[2], pointRadius: 3 }] },
  options: { responsive: false, parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: { min: 0, max: 1 } } },
});
const scatterChart = new Chart($<HTMLCanvasElement>('scatter'), {
  type: 'scatter',
  data: { datasets: Array.from({ length: 10 }, (_, c) => ({ label: String(c), data: [] as { x: number; y: number }[], backgroundColor: PALETTE[c], pointRadius: 2.5 })) },
  options: { responsive: false, plugins: { legend: { position: 'right' } } },
});

async function loadDigits(): Promise<Dataset> {
  const res = await fetch('digits.csv.gz');
  if (!res.ok) throw new Error(`digits.csv.gz: HTTP ${res.status} (build the page with npm run demo:web)`);
  const text = new TextDecoder().decode(await maybeGunzip(new Uint8Array(await res.arrayBuffer()), 'digits.csv.gz'));
  return csvDataset(parseCsv(text, 'digits.csv.gz', { numClasses: 10 }), { name: 'digits', as: 'image' });
}

/** kNN accuracy (first 80% of the labelled slice as memory) and the PCA scatter, both from one embedding pass. */
async function measure(method: Method, evalX: tf.Tensor, labels: Int32Array, step: number): Promise<void> {
  const h = method.embed(evalX); // [500, 128]
  const nBank = Math.round(labels.length * 0.8);
  const [bank, queries] = tf.split(h, [nBank, labels.length - nBank], 0) as [tf.Tensor2D, tf.Tensor2D];
  const accuracy = await knnAccuracy(bank, labels.slice(0, nBank), queries, labels.slice(nBank), { k: 20 });
  const values = (await h.data()) as Float32Array;
  tf.dispose([h, bank, queries]);
  state.knn.push({ step, accuracy });
  knnChart.data.datasets[0]!.data.push({ x: step, y: accuracy });
  knnChart.update('none');
  const { x, y } = pca2(values, values.length / labels.length);
  scatterChart.data.datasets.forEach((d, c) => {
    d.data = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) d.data.push({ x: x[i]!, y: y[i]! });
  });
  scatterChart.update('none');
  state.scatterUpdates += 1;
}

let stopRequested = false;
let trained: Method | undefined;

async function run(): Promise<void> {
  const steps = Number($<HTMLInputElement>('steps').value);
  const batchSize = Number($<HTMLInputElement>('batch').value);
  const evalEvery = Number(params.get('evalEvery') ?? Math.max(10, Math.round(steps / 15)));
  state.running = true;
  state.done = false;
  stopRequested = false;
  $('start').setAttribute('disabled', '');
  $('stop').removeAttribute('disabled');
  $('download').setAttribute('disabled', '');
  trained?.dispose();
  state.losses = [];
  state.knn = [];
  lossChart.data.datasets[0]!.data = [];
  knnChart.data.datasets[0]!.data = [];

  const all = await loadDigits();
  const evalRows = stratifiedLimit(all.labels!.values, Number(params.get('evalSize') ?? 500));
  const isEval = new Uint8Array(all.size);
  for (const i of evalRows) isEval[i] = 1;
  const train = subset(all, Int32Array.from({ length: all.size }, (_, i) => i).filter((i) => isEval[i] === 0), 'digits:train');
  const evalBatch = await all.getBatch(evalRows);
  const evalX = tf.tensor(evalBatch.x, evalBatch.shape);
  const evalLabels = evalBatch.labels!;

  const seed = 0;
  const encoder = convNet({ inputShape: [8, 8, 1], seed });
  const head = projectionHead({ inputDim: 128, outputDim: 64, seed: seed + 1000 });
  const optimizer = new Optimizer({ name: 'adam', learningRate: 1e-3, weightDecay: 1e-6 });
  const method = simclr({ encoder, head, augmentation: smallGrey([8, 8], { horizontalFlip: false }), temperature: 0.5, optimizer });
  trained = method;
  // steps = 0: only the untrained encoder is measured (the WebGPU test on a software adapter)
  const schedule = warmupCosine({ baseLr: 1e-3, totalSteps: Math.max(1, steps), warmupSteps: Math.round(steps / 10) });
  const rng = new Rng(seed);
  const b = Math.min(batchSize, train.size);
  let order = epochOrder(train.size, { shuffle: true, rng });
  let at = 0;
  await measure(method, evalX, evalLabels, 0);
  const t0 = performance.now();
  for (let step = 1; step <= steps && !stopRequested; step++) {
    if (at + b > order.length) {
      order = epochOrder(train.size, { shuffle: true, rng });
      at = 0;
    }
    const batch = await train.getBatch(order.subarray(at, at + b));
    at += b;
    method.optimizer.learningRate = schedule(step - 1);
    const x = tf.tensor(batch.x, batch.shape);
    const m = method.trainStep({ x, indices: batch.indices }, rng);
    x.dispose();
    state.losses.push(m.loss);
    lossChart.data.datasets[0]!.data.push({ x: step, y: m.loss });
    if (step % 5 === 0 || step === steps) lossChart.update('none');
    if (step % evalEvery === 0 || step === steps) await measure(method, evalX, evalLabels, step);
    const secs = (performance.now() - t0) / 1000;
    $('status').textContent = `step ${step}/${steps}, loss ${m.loss.toFixed(3)}, ${((step * b) / secs).toFixed(0)} images/s, ${tf.memory().numTensors} tensors`;
    await yieldToPage();
  }
  lossChart.update('none');
  evalX.dispose();
  state.running = false;
  state.done = true;
  $('start').removeAttribute('disabled');
  $('stop').setAttribute('disabled', '');
  $('download').removeAttribute('disabled');
}

async function main(): Promise<void> {
  if (params.has('steps')) $<HTMLInputElement>('steps').value = params.get('steps')!;
  if (params.has('batch')) $<HTMLInputElement>('batch').value = params.get('batch')!;
  setWasmPaths(new URL('./', location.href).href); // the .wasm files sit beside main.js
  const wanted = params.get('backend');
  if (params.get('softwareWebgl') === '1') allowSoftwareWebgl();
  if (params.get('softwareWebgpu') === '1') allowSoftwareWebgpu();
  const info = await initBackend(wanted === null || wanted === '' ? undefined : (wanted as BackendName));
  state.backend = info.name;
  state.skipped = info.skipped;
  state.webgpu = { navigatorGpu: 'gpu' in navigator, factoryRegistered: tf.findBackendFactory('webgpu') !== null };
  $('backend').textContent = describeBackend(info);
  const fail = (err: unknown): void => {
    state.error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    state.running = false;
    $('error').textContent = state.error;
    $('start').removeAttribute('disabled');
  };
  $('start').addEventListener('click', () => void run().catch(fail));
  $('stop').addEventListener('click', () => {
    stopRequested = true;
  });
  $('download').addEventListener('click', () => {
    void trained?.encoder.save('downloads://contrastive-digits-encoder').catch(fail);
  });
  if (params.get('auto') === '1') await run().catch(fail);
}

main().catch((err: unknown) => {
  state.error = err instanceof Error ? err.message : String(err);
  $('error').textContent = state.error;
});
