/** The static server behind `contrastive serve` (no browser needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../../src/cli/serve.js';
import { ConfigError } from '../../src/errors.js';

test('startStaticServer: serves the folder with types and isolation headers, nothing outside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-serve-'));
  writeFileSync(join(dir, 'index.html'), '<!DOCTYPE html><p>hi</p>');
  writeFileSync(join(dir, 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
  const s = await startStaticServer({ dir, port: 0 });
  try {
    const index = await fetch(s.url);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(index.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(await index.text(), '<!DOCTYPE html><p>hi</p>');
    const wasm = await fetch(`${s.url}a.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual(new Uint8Array(await wasm.arrayBuffer()), new Uint8Array([0, 97, 115, 109]));
    assert.equal((await fetch(`${s.url}missing.js`)).status, 404);
    assert.equal((await fetch(`${s.url}..%2f..%2fetc%2fpasswd`)).status, 403);
    assert.equal((await fetch(s.url, { method: 'POST' })).status, 403);
  } finally {
    await s.close();
  }
});

test('startStaticServer: a folder without the built page is a ConfigError that says how to build it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-serve-'));
  await assert.rejects(
    startStaticServer({ dir, port: 0 }),
    (e: unknown) => e instanceof ConfigError && /serve: `--dir` must hold the built demo .*npm run demo:web/.test(e.message),
  );
});
