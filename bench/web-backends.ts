/**
 * `npm run bench -- web-backends [--backends webgpu,wasm] [--batches 128,512] [--steps 40]
 * [--method simclr] [--images <folder>] [--count 512] [--size 32] [--dir dist-web]
 * [--chromium /usr/bin/chromium] [--gpu] [--chromium-args "<more flags>"] [--probe-only] [--json <file>]`: the browser page's training speed per
 * backend in headless Chromium (issue 21: WebGPU against wasm on the same machine).
 *
 * It serves the built page (`npm run demo:web`, COOP/COEP as `contrastive serve`), launches
 * Chromium through playwright-core and, for every backend and batch size, opens the page with
 * `?backend=<b>` (forced: a backend that cannot load is reported as an error, never replaced by
 * another) and trains `steps` steps: on the bundled digits (8x8 grey), or on the first `count`
 * images of `--images` (set on the page's file input and resized to `size`, as a person would).
 * Images/s come from the page's own per-step times (`__demo.stepMs`, time in training steps only)
 * after the first 5 steps (WebGPU compiles its shaders there); the loss of the first and last 5
 * steps shows that the steps trained. `--gpu` launches Chromium with its GPU on (Vulkan, for
 * WebGPU on Linux); without it the GPU is off, as in the tests. The WebGPU adapter Chromium
 * offers is printed first (`--probe-only`: only that): a software (fallback) adapter is refused
 * by the page.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startStaticServer } from '../src/cli/serve.js';

interface PageState {
  backend?: string;
  threads?: number;
  skipped?: { name: string; reason: string }[];
  losses: number[];
  stepMs: number[];
  imagesPerSec?: number;
  knn: { step: number; accuracy: number }[];
  images: number;
  done: boolean;
  error?: string;
}

interface Row {
  backend: string;
  batch: number;
  data: string;
  got?: string;
  threads?: number;
  steps: number;
  medianStepMs?: number;
  imagesPerSec?: number;
  firstLoss?: number;
  lastLoss?: number;
  /** The page's kNN accuracy on its labelled digits before training and after the last step (digits only). */
  knn?: [number, number];
  error?: string;
}

const GPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=vulkan',
  '--disable-vulkan-surface',
  '--ignore-gpu-blocklist',
];

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const backends = opt('backends', 'webgpu,wasm').split(',');
  const batches = opt('batches', '128').split(',').map(Number);
  const steps = Number(opt('steps', '40'));
  const method = opt('method', 'simclr');
  const dir = opt('dir', 'dist-web');
  const imagesDir = args.includes('--images') ? opt('images', '') : undefined;
  const count = Number(opt('count', '512'));
  const size = Number(opt('size', '32'));
  const gpu = args.includes('--gpu');
  const executablePath = opt('chromium', process.env.CONTRASTIVE_CHROMIUM ?? '/usr/bin/chromium');
  const jsonOut = args.includes('--json') ? opt('json', '') : undefined;
  const extraArgs = opt('chromium-args', '')
    .split(' ')
    .filter((a) => a !== '');
  const probeOnly = args.includes('--probe-only');
  const software = args.includes('--software');
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`web-backends: --dir '${dir}' has no index.html: run \`npm run demo:web\` first`);
  if (steps <= 5) throw new Error(`web-backends: --steps must be above 5 (the first 5 steps are warm-up), got ${steps}`);
  const files =
    imagesDir === undefined
      ? undefined
      : readdirSync(imagesDir)
          .filter((f) => ['.png', '.jpg', '.jpeg'].includes(extname(f).toLowerCase()))
          .sort()
          .slice(0, count)
          .map((f) => join(imagesDir, f));
  if (files !== undefined && files.length === 0) throw new Error(`web-backends: --images '${imagesDir}' holds no .png or .jpg file`);
  const data = files === undefined ? 'digits 8x8 grey' : `${files.length} images of ${imagesDir} at ${size}x${size}`;

  const server = await startStaticServer({ dir, port: 0 });
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      ...(gpu ? GPU_ARGS : software ? ['--enable-unsafe-webgpu'] : ['--disable-gpu']),
      ...extraArgs,
    ],
  });
  const rows: Row[] = [];
  let adapter: unknown;
  try {
    const probe = await browser.newPage();
    await probe.goto(`${server.url}?steps=0`);
    adapter = await probe.evaluate(async () => {
      const gpuApi = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (gpuApi === undefined) return { navigatorGpu: false };
      const a = (await gpuApi.requestAdapter()) as {
        info?: { vendor: string; architecture: string; device: string; description: string };
        isFallbackAdapter?: boolean;
      } | null;
      if (a === null) return { navigatorGpu: true, adapter: null };
      const info =
        a.info === undefined
          ? undefined
          : { vendor: a.info.vendor, architecture: a.info.architecture, device: a.info.device, description: a.info.description };
      return { navigatorGpu: true, info, isFallbackAdapter: a.isFallbackAdapter };
    });
    await probe.close();
    console.log(
      `Chromium ${browser.version()}, ${gpu ? 'GPU on (Vulkan)' : 'GPU off'}${extraArgs.length > 0 ? ` ${extraArgs.join(' ')}` : ''}, host ${cpus().length} cores; WebGPU adapter: ${JSON.stringify(adapter)}`,
    );
    if (probeOnly) return;
    console.log(`${method}, ${steps} steps per run, ${data}; images/s from the median step after the first 5`);
    console.log('| backend | got | threads | batch | median step (ms) | images/s | loss first 5 -> last 5 | kNN before -> after |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const batch of batches) {
      for (const backend of backends) {
        const row = await runPage(await browser.newPage(), { url: server.url, backend, batch, steps, method, files, size, software });
        row.data = data;
        rows.push(row);
        console.log(
          row.error !== undefined
            ? `| ${backend} | error | | ${batch} | | | ${row.error.split('\n')[0]} |`
            : `| ${backend} | ${row.got} | ${row.threads ?? ''} | ${batch} | ${row.medianStepMs!.toFixed(1)} | ${row.imagesPerSec!.toFixed(0)} | ${row.firstLoss!.toFixed(3)} -> ${row.lastLoss!.toFixed(3)} | ${row.knn === undefined ? '' : `${row.knn[0].toFixed(3)} -> ${row.knn[1].toFixed(3)}`} |`,
        );
      }
      const [a, b] = backends.map((n) => rows.find((r) => r.batch === batch && r.backend === n && r.error === undefined));
      if (a !== undefined && b !== undefined)
        console.log(`batch ${batch}: ${a.backend} / ${b.backend} images/s = ${(a.imagesPerSec! / b.imagesPerSec!).toFixed(2)}x`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify({ chromium: executablePath, gpu, adapter, rows }, null, 2) + '\n');
}

async function runPage(
  page: Page,
  o: { url: string; backend: string; batch: number; steps: number; method: string; files?: string[]; size: number; software: boolean },
): Promise<Row> {
  const row: Row = { backend: o.backend, batch: o.batch, data: '', steps: o.steps };
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const query = `${o.software ? 'softwareWebgpu=1&softwareWebgl=1&' : ''}backend=${o.backend}&steps=${o.steps}&batch=${o.batch}&method=${o.method}&size=${o.size}&evalEvery=${o.steps}`;
  try {
    await page.goto(`${o.url}?${query}${o.files === undefined ? '&auto=1' : ''}`);
    if (o.files !== undefined) {
      await page.waitForFunction(() => {
        const d = (window as unknown as { __demo?: PageState }).__demo;
        return d?.backend !== undefined || d?.error !== undefined;
      });
      const initError = await page.evaluate(() => (window as unknown as { __demo: PageState }).__demo.error);
      if (initError !== undefined) throw new Error(initError);
      await page.setInputFiles('#files', o.files);
      await page.waitForFunction(() => /images \(/.test(document.getElementById('files-status')?.textContent ?? ''), undefined, {
        timeout: 120_000,
      });
      await page.selectOption('#method', o.method);
      await page.click('#start');
    }
    await page.waitForFunction(
      () => {
        const d = (window as unknown as { __demo?: PageState }).__demo;
        return d?.done === true || d?.error !== undefined;
      },
      undefined,
      { timeout: 540_000, polling: 500 },
    );
    const d = await page.evaluate(() => (window as unknown as { __demo: PageState }).__demo);
    if (d.error !== undefined) row.error = d.error;
    else {
      row.got = d.backend;
      row.threads = d.threads;
      row.medianStepMs = median(d.stepMs.slice(5));
      row.imagesPerSec = (Math.min(o.batch, d.images) * 1000) / row.medianStepMs;
      row.firstLoss = mean(d.losses.slice(0, 5));
      row.lastLoss = mean(d.losses.slice(-5));
      if (d.knn.length >= 2) row.knn = [d.knn[0]!.accuracy, d.knn.at(-1)!.accuracy];
    }
  } catch (err) {
    row.error = `${err instanceof Error ? err.message : String(err)}${errors.length > 0 ? `; page errors: ${errors.join('; ')}` : ''}`;
  } finally {
    await page.close();
  }
  return row;
}
