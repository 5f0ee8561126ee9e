import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { resolveOptionalPeer } from '../../src/node/optional-peer.js';

test('resolveOptionalPeer: an installed peer resolves to a file URL', () => {
  assert.match(resolveOptionalPeer('sharp', 'reading image folders'), /^file:.*sharp/);
});

test('resolveOptionalPeer: a missing peer is a ConfigError naming it, the purpose and the install command', () => {
  const missing = (s: string): string => {
    throw Object.assign(new Error(`Cannot find package '${s}'`), { code: 'ERR_MODULE_NOT_FOUND' });
  };
  assert.throws(
    () => resolveOptionalPeer('@lancedb/lancedb', 'search indexes', missing),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        'resolveOptionalPeer: `@lancedb/lancedb` is needed for search indexes and is not installed: run `npm install @lancedb/lancedb@0.31.0`',
      );
      return true;
    },
  );
});

test('resolveOptionalPeer: other failures are not hidden', () => {
  const broken = (): string => {
    throw new TypeError('boom');
  };
  assert.throws(() => resolveOptionalPeer('sharp', 'x', broken), /boom/);
});
