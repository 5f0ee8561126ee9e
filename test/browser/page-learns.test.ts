/**
 * The page's default recipe shows learning (issue 21): in headless Chromium, on the bundled
 * digits, the neighbour quality of the trained encoder (kNN accuracy, k 20, each of the 500
 * held-out labelled digits a query once: web/folded-knn.ts) ends above the untrained network's.
 * A shorter run than the page's default (STEPS steps of BATCH, the same recipe and schedule
 * shape), sized so that the effect holds there too (BENCHMARKS.md, Browser: the recipe study).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing } from './chromium.js';
import { openBuiltPage, type BuiltPage } from './built-page.js';

const skip = chromiumMissing;
const STEPS = 100;
const BATCH = 128;
let site: BuiltPage | undefined;

before(async () => {
  if (skip === false) site = await openBuiltPage();
});
after(async () => {
  await site?.close();
});

interface Demo {
  backend?: string;
  threads?: number;
  knn: { step: number; accuracy: number }[];
  imagesPerSec?: number;
  done: boolean;
  error?: string;
}

test(
  `page default recipe on the digits: kNN accuracy after ${STEPS} steps of ${BATCH} is above the untrained network's`,
  { skip },
  async (t) => {
    const page = await site!.browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${site!.url}?steps=${STEPS}&batch=${BATCH}&evalEvery=${STEPS}&auto=1`);
    await page.waitForFunction(
      () => {
        const d = (window as unknown as { __demo?: Demo }).__demo;
        return d?.done === true || d?.error !== undefined;
      },
      undefined,
      { timeout: 120_000 },
    );
    const demo = await page.evaluate(() => (window as unknown as { __demo: Demo }).__demo);
    assert.equal(demo.error, undefined, demo.error);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      demo.knn.map((k) => k.step),
      [0, STEPS],
    );
    const [untrained, trained] = demo.knn.map((k) => k.accuracy) as [number, number];
    t.diagnostic(
      `backend ${demo.backend} (${demo.threads} threads), ${demo.imagesPerSec?.toFixed(0)} images/s; kNN accuracy untrained ${untrained.toFixed(3)}, after ${STEPS} steps ${trained.toFixed(3)}`,
    );
    // 500 queries: 0.006 is 3 more digits classified right
    assert.ok(trained >= untrained + 0.006, `kNN accuracy untrained ${untrained}, trained ${trained}`);
    await page.close();
  },
);
