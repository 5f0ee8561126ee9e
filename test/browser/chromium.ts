/**
 * Launches Debian's /usr/bin/chromium through playwright-core for the browser tests, with a
 * fresh profile and every background network feature off. `chromiumMissing` is the skip message
 * on machines without it (a user's fresh clone); CI installs it (.ci/run).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { skipUnless } from '../support/prerequisites.js';

export const CHROMIUM = process.env.CONTRASTIVE_CHROMIUM ?? '/usr/bin/chromium';

/** The skip reason when Chromium is not installed, else false (a failure under CONTRASTIVE_REQUIRE_CHROMIUM=1). */
export const chromiumMissing: string | false = skipUnless(
  'chromium',
  existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser tests`,
);

export interface Launched {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh --user-data-dir (a persistent context owns the profile).
 * `gpu: 'webgpu-software'` drops --disable-gpu and adds --enable-unsafe-webgpu, so that
 * `navigator.gpu` gives SwiftShader's software adapter (the WebGPU path on a machine without a GPU).
 */
export async function launchChromium({ gpu = 'off' }: { gpu?: 'off' | 'webgpu-software' } = {}): Promise<Launched> {
  const profile = mkdtempSync(join(tmpdir(), 'contrastive-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      ...(gpu === 'off' ? ['--disable-gpu'] : ['--enable-unsafe-webgpu']),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1100, height: 900 },
  });
  return {
    browser: context.browser()!,
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
