/**
 * report.html in real Chromium: opened from a file:// URL it makes no network request and logs no
 * console error, every chart has drawn pixels, the UMAP has one point per test sample, and a
 * damaged run's page lists what is missing. Screenshot: test-artifacts/report.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { writeRunReport } from '../../src/node/run-report/write-run-report.js';
import { useBackend } from '../support/tensors.js';
import { makeRunFolder, SWEEP } from '../run-report/fixture-run.js';
import { TEMPERATURE_SWEEP_FILE } from '../../src/run-report/temperature-sweep.js';
import { chromiumMissing, launchChromium, type Launched } from './chromium.js';

const skip = chromiumMissing;
let browser: Launched | undefined;
let dir: string;

before(async () => {
  if (skip !== false) return;
  await useBackend('cpu');
  dir = await makeRunFolder();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Opens `file` and watches every request and console message until the page script is done. */
async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser!.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as unknown as { __report?: { done: boolean } }).__report?.done === true, undefined, {
    timeout: 15_000,
  });
  return { page, errors, requests };
}

/** Per chart canvas: how many of its pixels are not transparent. */
const drawnPixels = (page: Page): Promise<Record<string, number>> =>
  page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const id of Object.keys((window as unknown as { __report: { charts: Record<string, number> } }).__report.charts)) {
      const c = document.getElementById(id) as HTMLCanvasElement;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
      out[id] = n;
    }
    return out;
  });

test('report.html: loads from file:// offline, every chart drawn, one UMAP point per test sample', { skip }, async () => {
  const r = await writeRunReport(dir, { umapEpochs: 30, testLimit: 200 });
  const { page, errors, requests } = await open(r.path);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [pathToFileURL(r.path).href], 'the page itself is the only request');
  const state = await page.evaluate(
    () => (window as unknown as { __report: { charts: Record<string, number>; umapPoints: number } }).__report,
  );
  assert.deepEqual(Object.keys(state.charts).sort(), [
    'chart-alignment-uniformity',
    'chart-knn',
    'chart-label-efficiency',
    'chart-loss',
    'chart-umap',
  ]);
  assert.equal(state.umapPoints, 200);
  assert.equal(state.umapPoints, r.data.umap!.x.length);
  const drawn = await drawnPixels(page);
  for (const [id, n] of Object.entries(drawn)) assert.ok(n > 1000, `${id}: ${n} drawn pixels`);
  // the retrieval grid: a query and 6 neighbours per row, each a drawn thumbnail
  const thumbs = await page.evaluate(
    () =>
      Array.from(document.querySelectorAll('canvas.thumb')).filter((c) =>
        (c as HTMLCanvasElement)
          .getContext('2d')!
          .getImageData(0, 0, 56, 56)
          .data.some((v, i) => i % 4 === 3 && v > 0),
      ).length,
  );
  assert.equal(thumbs, 8 * 7);
  assert.equal(await page.locator('#problems li').count(), 0);
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: join('test-artifacts', 'report.png'), fullPage: true });
  await page.close();
});

test('report.html of a run in a temperature sweep: a τ section with both charts drawn', { skip }, async () => {
  const sweepDir = mkdtempSync(join(tmpdir(), 'contrastive-sweep-'));
  const run = join(sweepDir, 'simclr-t0.5');
  cpSync(dir, run, { recursive: true });
  writeFileSync(join(sweepDir, TEMPERATURE_SWEEP_FILE), JSON.stringify(SWEEP));
  const r = await writeRunReport(run, { skipEmbeddings: true });
  assert.equal(r.data.temperature!.current, 0.5);
  const { page, errors } = await open(r.path);
  assert.deepEqual(errors, []);
  const drawn = await drawnPixels(page);
  for (const id of ['chart-temperature-geometry', 'chart-temperature-probes'])
    assert.ok(drawn[id]! > 1000, `${id}: ${drawn[id]} drawn pixels`);
  assert.match(await page.locator('#temperature p.note').innerText(), /300 steps at each τ of ntxent .*this run: τ = 0\.5/);
  await page.close();
  rmSync(sweepDir, { recursive: true, force: true });
});

test('report.html of a damaged run: says what is missing, renders the rest, no error', { skip }, async () => {
  rmSync(join(dir, 'eval.json'));
  rmSync(join(dir, 'epochs.jsonl'));
  const r = await writeRunReport(dir, { skipEmbeddings: true, out: join(dir, 'damaged.html') });
  assert.ok(readFileSync(r.path, 'utf8').includes('eval.json is missing'));
  const { page, errors } = await open(r.path);
  assert.deepEqual(errors, []);
  const items = await page.locator('#problems li').allTextContents();
  assert.ok(
    items.some((t) => t.startsWith('eval.json is missing')),
    items.join('\n'),
  );
  assert.ok(
    items.some((t) => t.startsWith('epochs.jsonl is missing')),
    items.join('\n'),
  );
  assert.deepEqual(Object.keys(await drawnPixels(page)), ['chart-loss']);
  assert.ok((await drawnPixels(page))['chart-loss']! > 1000);
  assert.equal(await page.locator('#label-efficiency .missing').count(), 1);
  await page.close();
});
