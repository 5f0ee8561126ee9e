/**
 * The browser's wasm thread count and the core-count override around the backend's start. The
 * threads a real page gets are measured in Chromium (test/browser/demo.test.ts); here, the rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/tf.js';
import '../../../src/backend-loaders/wasm.js';
import { browserWasmThreads, initBrowserWasmThreads, setBrowserWasmThreads } from '../../../src/backend-loaders/wasm/browser-threads.js';
import { ConfigError } from '../../../src/errors.js';

const page = (cores: number | undefined, isolated = true) => ({ crossOriginIsolated: isolated, navigator: { hardwareConcurrency: cores } });

test('browserWasmThreads: every core in an isolated page, at most 8; none without isolation or SharedArrayBuffer', () => {
  assert.equal(browserWasmThreads(page(2), true), 2);
  assert.equal(browserWasmThreads(page(1), true), 1);
  assert.equal(browserWasmThreads(page(32), true), 8);
  assert.equal(browserWasmThreads(page(2, false), true), undefined);
  assert.equal(browserWasmThreads(page(2), false), undefined);
  assert.equal(browserWasmThreads(page(undefined), true), undefined);
  assert.equal(browserWasmThreads({}, true), undefined, 'Node: no crossOriginIsolated');
});

test('setBrowserWasmThreads: replaces the core count (still needs isolation); undefined restores it; bad counts are typed errors', () => {
  try {
    setBrowserWasmThreads(1);
    assert.equal(browserWasmThreads(page(4), true), 1);
    assert.equal(browserWasmThreads(page(4, false), true), undefined);
    setBrowserWasmThreads(16);
    assert.equal(browserWasmThreads(page(4), true), 8);
    setBrowserWasmThreads(undefined);
    assert.equal(browserWasmThreads(page(4), true), 4);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => setBrowserWasmThreads(bad),
        (e: unknown) => e instanceof ConfigError && /setBrowserWasmThreads: `threads` must be a positive integer/.test(e.message),
      );
    }
  } finally {
    setBrowserWasmThreads(undefined);
  }
});

test('initBrowserWasmThreads: starts wasm while hardwareConcurrency reads 2 x threads, then removes the override', async () => {
  // a navigator stand-in that logs what is defined on it and deleted from it, with the backend then active
  const log: string[] = [];
  const nav = new Proxy({} as Record<string, unknown>, {
    defineProperty(target, key, desc) {
      log.push(`define ${String(key)}=${String(desc.value)} (backend ${tf.getBackend() ?? 'none'})`);
      return Reflect.defineProperty(target, key, desc);
    },
    deleteProperty(target, key) {
      log.push(`delete ${String(key)} (wasm started: ${tf.findBackend('wasm') !== null})`);
      return Reflect.deleteProperty(target, key);
    },
  });
  await tf.setBackend('cpu');
  assert.equal(await initBrowserWasmThreads(3, nav), true);
  assert.deepEqual(log, ['define hardwareConcurrency=6 (backend cpu)', 'delete hardwareConcurrency (wasm started: true)']);
  assert.equal(Object.hasOwn(nav, 'hardwareConcurrency'), false);
  assert.equal(tf.getBackend(), 'wasm');
  // once wasm has started, nothing more is done; one thread is never overridden
  log.length = 0;
  assert.equal(await initBrowserWasmThreads(4, nav), true);
  assert.equal(await initBrowserWasmThreads(1, nav), true);
  assert.deepEqual(log, []);
});
