/**
 * `npm run bench -- data [--images 512] [--batch 128] [--step-ms 150] [--rounds 3] [--workers N]`:
 * 1. load times of the bundled and shared datasets (read, gunzip, parse);
 * 2. an image folder of `--images` 32x32 PNGs (CIFAR-10 subset images when the shared data is
 *    present, else noise) streamed in batches: decode throughput, and whether decoding in worker
 *    threads overlaps with a training step that blocks the main thread for `--step-ms` per
 *    batch. prefetch 0 (fetch, then train) and prefetch 1 (fetch the next batch while training)
 *    are run alternately, `--rounds` times each; medians are reported;
 * 3. decode throughput of one worker with 2, 8 and 32 images decoding at once (alternating).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadDataset } from '../src/node/data/load-dataset.js';
import { loadImageFolder } from '../src/node/data/image-folder.js';
import { DecodePool, defaultDecodeWorkers } from '../src/node/data/decode-pool.js';
import { batches } from '../src/data/batches.js';
import { sharedDataDir } from '../src/node/data/paths.js';
import type { Dataset } from '../src/data/dataset.js';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Blocks the main thread for `ms` (a synchronous training step does the same). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

async function makeFolder(n: number): Promise<string> {
  const root = join(tmpdir(), `contrastive-bench-data-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  const cifar: Dataset | undefined = sharedDataDir() === undefined ? undefined : await loadDataset('cifar10-subset', { limit: n });
  for (let i = 0; i < n; i++) {
    const label = cifar?.labels?.values[i] ?? i % 10;
    const dir = join(root, `class${label}`);
    mkdirSync(dir, { recursive: true });
    const pixels = new Uint8Array(32 * 32 * 3);
    if (cifar !== undefined) {
      const s = await cifar.get(i);
      s.data.forEach((v, k) => (pixels[k] = Math.round(v * 255)));
    } else {
      pixels.forEach((_, k) => (pixels[k] = (k * 2654435761 + i * 40503) % 256));
    }
    writeFileSync(
      join(dir, `${i}.png`),
      await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  return root;
}

export async function main(args: string[]): Promise<void> {
  const images = Number(arg(args, 'images', '512'));
  const batchSize = Number(arg(args, 'batch', '128'));
  const stepMs = Number(arg(args, 'step-ms', '150'));
  const rounds = Number(arg(args, 'rounds', '3'));
  const workers = Number(arg(args, 'workers', String(defaultDecodeWorkers())));

  console.log('## load times (read + gunzip + parse), one run each');
  const loads: [string, Parameters<typeof loadDataset>[1]][] = [
    ['fashion-mnist', { split: 'train' }],
    ['fashion-mnist', { split: 'test' }],
    ['digits', {}],
  ];
  if (sharedDataDir() !== undefined)
    loads.push(['cifar10-subset', { split: 'train' }], ['ucr:CricketX', { split: 'train' }], ['fsdd', { split: 'test' }]);
  for (const [spec, o] of loads) {
    const t0 = performance.now();
    const ds = await loadDataset(spec, o);
    let t1 = performance.now();
    let extra = '';
    if (spec === 'fsdd') {
      // a WAV folder reads clips on demand: time reading all of them once
      for (let i = 0; i < ds.size; i++) await ds.get(i);
      t1 = performance.now();
      extra = ' (all clips read and parsed)';
    }
    console.log(`${spec}:${o?.split ?? ''} ${ds.size} samples [${ds.sampleShape.join(', ')}]: ${(t1 - t0).toFixed(0)} ms${extra}`);
  }

  console.log(`\n## image folder: ${images} PNGs 32x32, batches of ${batchSize}, ${workers} decode worker(s)`);
  const root = await makeFolder(images);
  const ds = await loadImageFolder(root, { imageSize: 32, channels: 3, workers });
  try {
    await ds.getBatch([0]); // start the workers
    const epoch = async (prefetch: number, step: number): Promise<{ ms: number; peak: number }> => {
      const t0 = performance.now();
      let peak = 0;
      for await (const _ of batches(ds, { batchSize, prefetch })) {
        peak = Math.max(peak, ds.pool.inFlight);
        busy(step);
      }
      return { ms: performance.now() - t0, peak };
    };
    const decode: number[] = [];
    const serial: number[] = [];
    const overlapped: number[] = [];
    let peak = 0;
    for (let r = 0; r < rounds; r++) {
      decode.push((await epoch(0, 0)).ms);
      serial.push((await epoch(0, stepMs)).ms);
      const o = await epoch(1, stepMs);
      overlapped.push(o.ms);
      peak = Math.max(peak, o.peak);
    }
    const nb = Math.ceil(images / batchSize);
    const d = median(decode);
    console.log(`decode only: ${d.toFixed(0)} ms per epoch = ${((images / d) * 1000).toFixed(0)} images/s (median of ${rounds})`);
    console.log(`train steps alone: ${nb} x ${stepMs} ms = ${nb * stepMs} ms`);
    console.log(`prefetch 0 (decode, then train): ${median(serial).toFixed(0)} ms per epoch`);
    console.log(
      `prefetch 1 (decode next batch during the step): ${median(overlapped).toFixed(0)} ms per epoch; decodes in flight at a step, at most ${peak}`,
    );
    console.log(`hidden decode time: ${(((median(serial) - median(overlapped)) / d) * 100).toFixed(0)}% of the decode-only time`);

    console.log(`\n## decodes at once per worker (1 worker, ${images} images, median of ${rounds})`);
    const per = [2, 8, 32];
    const pools = per.map((k) => new DecodePool(1, k));
    const t: number[][] = per.map(() => []);
    try {
      for (let r = 0; r < rounds; r++) {
        for (const [j, pool] of pools.entries()) {
          const t0 = performance.now();
          await Promise.all(ds.files.map((file) => pool.decode({ file, height: 32, width: 32, channels: 3 })));
          t[j]!.push(performance.now() - t0);
        }
      }
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
    per.forEach((k, j) =>
      console.log(`${k} at once: ${median(t[j]!).toFixed(0)} ms = ${((images / median(t[j]!)) * 1000).toFixed(0)} images/s`),
    );
  } finally {
    await ds.close();
    rmSync(root, { recursive: true, force: true });
  }
}
