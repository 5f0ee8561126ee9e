import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('../../src/data/', import.meta.url));

test('src/data/* is browser-safe: no node: imports, imports only inside the library', () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/from '([^']+)'/g)) {
      const spec = m[1]!;
      assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${f} imports ${spec}`);
      assert.ok(!spec.startsWith('node:'), `${f} imports ${spec}`);
    }
    assert.doesNotMatch(text, /\b(require|process)\s*[.(]/, `${f} uses require or process`);
  }
});
