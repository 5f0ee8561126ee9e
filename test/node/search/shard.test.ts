import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a, inShard, parseShard } from '../../../src/node/search/shard.js';
import { ConfigError } from '../../../src/errors.js';

test('parseShard: i/n with 1 <= i <= n; anything else is a ConfigError naming --shard', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['3/2', '0/2', '1/0', '1', 'a/b', '-1/2', '1.5/2'])
    assert.throws(
      () => parseShard(bad),
      (e: Error) => e instanceof ConfigError && /--shard/.test(e.message),
      bad,
    );
});

test('inShard: every id in exactly one slice, deterministic, roughly even', () => {
  const ids = Array.from({ length: 3000 }, (_, i) => `photos/${i}.jpg`);
  const counts = [0, 0, 0];
  for (const id of ids) {
    const owners = [1, 2, 3].filter((i) => inShard(id, { index: i, count: 3 }));
    assert.equal(owners.length, 1);
    counts[owners[0]! - 1]!++;
  }
  for (const c of counts) assert.ok(c > 900 && c < 1100, `slice sizes ${counts}`);
  assert.equal(fnv1a('a'), 0xe40c292c); // FNV-1a 32-bit of "a"
  assert.ok(inShard('x', undefined));
});
