/**
 * The page on a folder of your own images, in headless Chromium: 200 images of the shared CIFAR-10
 * subset are written as PNG files (with sharp) plus one broken file, set on the page's file input;
 * the broken file is skipped and counted; two methods (SimCLR, then MoCo) train a few steps; a
 * click on a gallery image shows its nearest neighbours; the encoder (model.json + weights.bin)
 * and the embeddings (embeddings.npy [200, D] + embeddings.ids.txt, 200 ids) download and parse.
 * Reports the page's wasm images/s and threads (BENCHMARKS.md, "WebGPU in the browser").
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { parseNpy } from '../../src/data/npy.js';
import { sharedData } from '../data/fixtures.js';
import { chromiumMissing } from './chromium.js';
import { openBuiltPage, type BuiltPage } from './built-page.js';

const N = 200;
const cifar = sharedData() === undefined ? undefined : join(sharedData()!, 'cifar10-subset', 'train_first4000.bin');
const skip =
  chromiumMissing !== false
    ? chromiumMissing
    : cifar === undefined
      ? 'shared data folder absent (set CONTRASTIVE_DATA or place ../shared/data): the CIFAR-10 subset is needed'
      : false;
let images: string;
let site: BuiltPage | undefined;

before(async () => {
  if (skip !== false) return;
  site = await openBuiltPage();
  // CIFAR binary: per record 1 label byte, then 1024 R, 1024 G, 1024 B
  images = mkdtempSync(join(tmpdir(), 'contrastive-images-'));
  const bytes = readFileSync(cifar!);
  for (let i = 0; i < N; i++) {
    const rec = bytes.subarray(i * 3073 + 1, (i + 1) * 3073);
    const rgb = Buffer.alloc(3072);
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = rec[c * 1024 + p]!;
    await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(join(images, `img${String(i).padStart(3, '0')}.png`));
  }
  writeFileSync(join(images, 'broken.png'), Buffer.from('not a png at all'));
});
after(async () => {
  await site?.close();
  if (images !== undefined) rmSync(images, { recursive: true, force: true });
});

interface Demo {
  backend?: string;
  threads?: number;
  source: string;
  images: number;
  badFiles: number;
  method?: string;
  losses: number[];
  health: { step: number; alignment: number; uniformity: number }[];
  imagesPerSec?: number;
  neighbours?: { id: string; ids: string[] };
  done: boolean;
  running: boolean;
  error?: string;
}
const demo = (page: Page): Promise<Demo> => page.evaluate(() => (window as unknown as { __demo: Demo }).__demo);

async function train(page: Page, method: string, steps: number): Promise<Demo> {
  await page.selectOption('#method', method);
  await page.fill('#steps', String(steps));
  await page.click('#start');
  await page.waitForFunction(
    () => {
      const d = (window as unknown as { __demo?: Demo }).__demo;
      return (d?.done === true && d.running === false) || d?.error !== undefined;
    },
    undefined,
    { timeout: 120_000 },
  );
  return demo(page);
}

test(
  'own images: 200 CIFAR-10 PNGs on the file input train SimCLR and MoCo; neighbours; encoder and .npy downloads',
  { skip },
  async (t) => {
    const page = await site!.browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${site!.url}?batch=32&size=32&evalEvery=4`);
    await page.waitForFunction(() => (window as unknown as { __demo?: Demo }).__demo?.backend !== undefined, undefined, {
      timeout: 30_000,
    });
    const files = [
      ...Array.from({ length: N }, (_, i) => join(images, `img${String(i).padStart(3, '0')}.png`)),
      join(images, 'broken.png'),
    ];
    await page.setInputFiles('#files', files);
    await page.waitForFunction(() => /images \(/.test(document.getElementById('files-status')?.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
    const status = await page.textContent('#files-status');
    t.diagnostic(`files: ${status}`);
    assert.match(status!, /^200 images \(colour, 32x32\); 1 file skipped \(broken\.png/);
    assert.equal(await page.isDisabled('#method-cmc'), false, 'CMC is offered for colour images');

    const steps = 6;
    const a = await train(page, 'simclr', steps);
    assert.equal(a.error, undefined, a.error);
    assert.equal(a.source, 'files');
    assert.equal(a.images, N);
    assert.equal(a.badFiles, 1);
    assert.equal(a.losses.length, steps);
    assert.ok(a.losses.every(Number.isFinite), a.losses.join(', '));
    assert.ok(
      a.health.length >= 2 && a.health.every((h) => Number.isFinite(h.alignment) && Number.isFinite(h.uniformity)),
      JSON.stringify(a.health),
    );
    t.diagnostic(
      `simclr: backend ${a.backend}, ${a.threads} thread(s), ${a.imagesPerSec!.toFixed(0)} images/s (batch 32, 32x32 colour, ${steps} steps)`,
    );

    const b = await train(page, 'moco', steps);
    assert.equal(b.error, undefined, b.error);
    assert.equal(b.method, 'moco');
    assert.equal(b.losses.length, steps);
    assert.ok(b.losses.every(Number.isFinite), b.losses.join(', '));
    t.diagnostic(`moco: ${b.imagesPerSec!.toFixed(0)} images/s`);

    // the neighbour view: a click on the 4th gallery image lists 8 other images, nearest first
    await page.click('#gallery canvas[data-row="3"]');
    const nb = (await demo(page)).neighbours;
    assert.ok(nb !== undefined);
    assert.equal(nb.id, 'img003.png');
    assert.equal(nb.ids.length, 8);
    assert.ok(!nb.ids.includes('img003.png') && nb.ids.every((id) => /^img\d{3}\.png$/.test(id)), nb.ids.join(', '));
    assert.equal(await page.locator('#neighbours canvas').count(), 9);

    const downloads: { name: string; path: string }[] = [];
    page.on('download', (d) => {
      void d.path().then((p) => downloads.push({ name: d.suggestedFilename(), path: p }));
    });
    await page.click('#download');
    await page.click('#download-embeddings');
    for (let i = 0; i < 100 && downloads.length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    const byName = (end: string): string => {
      const d = downloads.find((x) => x.name.endsWith(end));
      assert.ok(d !== undefined, `${end} among downloads: ${downloads.map((x) => x.name).join(', ')}`);
      return d.path;
    };
    const model = JSON.parse(readFileSync(byName('.json'), 'utf8')) as { modelTopology: unknown; weightsManifest: { paths: string[] }[] };
    assert.ok(model.modelTopology !== undefined && model.weightsManifest.length === 1);
    assert.ok(readFileSync(byName('.weights.bin')).length > 1000);
    const npy = parseNpy(new Uint8Array(readFileSync(byName('embeddings.npy'))), 'embeddings.npy');
    assert.equal(npy.shape.length, 2);
    assert.equal(npy.shape[0], N);
    assert.ok(npy.shape[1]! > 0);
    assert.ok(Array.from(npy.data).every(Number.isFinite));
    const ids = readFileSync(byName('embeddings.ids.txt'), 'utf8').trimEnd().split('\n');
    assert.equal(ids.length, N);
    assert.equal(ids[0], 'img000.png');
    assert.equal(new Set(ids).size, N);
    assert.deepEqual(errors, []);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: join('test-artifacts', 'own-images.png'), fullPage: true });
    await page.close();
  },
);
