/**
 * `npm run bench -- web-threads [--steps 40] [--batch 128] [--threads 1,2] [--rounds 2]`: the
 * browser page's training images/s on wasm per thread count, in headless Chromium (Debian's, via
 * playwright-core, `--disable-gpu`), the page built by scripts/build-web.mjs and served by
 * `contrastive serve`'s server (COOP/COEP: cross-origin isolated). Each round runs every thread
 * count in turn (`?threads=N`), SimCLR on the bundled digits; the page times the training steps
 * only (not its kNN, map and health measurements). Run it alone: `flock /work/timing.lock ...`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../src/cli/serve.js';
import { launchChromium } from '../test/browser/chromium.js';

interface Demo {
  threads?: number;
  imagesPerSec?: number;
  done: boolean;
  error?: string;
}

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const steps = Number(opt('steps', '40'));
  const batch = Number(opt('batch', '128'));
  const threads = opt('threads', '1,2').split(',').map(Number);
  const rounds = Number(opt('rounds', '2'));
  const out = mkdtempSync(join(tmpdir(), 'contrastive-web-threads-'));
  const r = spawnSync(process.execPath, ['scripts/build-web.mjs', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-web failed:\n${r.stdout}\n${r.stderr}`);
  const server = await startStaticServer({ dir: out, port: 0 });
  const browser = await launchChromium();
  try {
    console.log(
      `load average before: ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    );
    for (let round = 1; round <= rounds; round++) {
      for (const n of threads) {
        const page = await browser.context.newPage();
        await page.goto(`${server.url}?steps=${steps}&batch=${batch}&evalEvery=${steps}&evalSize=100&auto=1&threads=${n}`);
        await page.waitForFunction(
          () => {
            const d = (window as unknown as { __demo?: Demo }).__demo;
            return d?.done === true || d?.error !== undefined;
          },
          undefined,
          { timeout: 170_000 },
        );
        const d = await page.evaluate(() => (window as unknown as { __demo: Demo }).__demo);
        await page.close();
        if (d.error !== undefined) throw new Error(d.error);
        console.log(
          `round ${round}, threads asked ${n}, threads ${d.threads}: ${d.imagesPerSec!.toFixed(0)} images/s (${steps} steps of ${batch})`,
        );
      }
    }
    console.log(
      `load average after: ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
}
