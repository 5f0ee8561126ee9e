import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleCache } from '../../src/data/sample-cache.js';
import { ConfigError } from '../../src/errors.js';

test('SampleCache: keeps at most maxBytes, evicting the least recently used first', () => {
  const c = new SampleCache(3 * 16); // three 4-float samples
  for (let i = 0; i < 3; i++) c.set(i, new Float32Array(4).fill(i));
  assert.equal(c.bytes, 48);
  assert.equal(c.get(0)![0], 0); // 0 is now the most recent
  c.set(3, new Float32Array(4).fill(3));
  assert.equal(c.get(1), undefined, 'the least recently used went');
  assert.equal(c.size, 3);
  assert.equal(c.bytes, 48);
  c.set(9, new Float32Array(100)); // larger than the whole budget: not kept
  assert.equal(c.get(9), undefined);
  const none = new SampleCache(0);
  none.set(0, new Float32Array(1));
  assert.equal(none.size, 0);
  assert.throws(() => new SampleCache(-1), ConfigError);
});
