/**
 * What the demo page's browser tests share: `npm run demo:web`'s bundle built into a temp folder
 * (esbuild with platform=browser fails on any `node:` import of the core), served by `contrastive
 * serve`'s server (COOP/COEP), and a headless Chromium (test/browser/chromium.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../../src/cli/serve.js';
import { launchChromium, type Launched } from './chromium.js';

export interface BuiltPage {
  /** The folder the page was built into. */
  dir: string;
  /** The page's address. */
  url: string;
  browser: Launched;
  /** Closes the browser and the server, and removes the folder. */
  close(): Promise<void>;
}

/** Builds the page, serves it on a free port and launches Chromium. */
export async function openBuiltPage(): Promise<BuiltPage> {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-web-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['scripts/build-web.mjs', dir], { encoding: 'utf8' });
  if (r.status !== 0) remove();
  assert.equal(r.status, 0, `build-web failed:\n${r.stdout}\n${r.stderr}`);
  const server = await startStaticServer({ dir, port: 0 });
  const browser = await launchChromium();
  return {
    dir,
    url: server.url,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
      remove();
    },
  };
}
