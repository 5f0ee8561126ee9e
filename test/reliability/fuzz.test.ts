/**
 * The short fuzz run: a few hundred mutated inputs per format (fixed seed), then every saved
 * reproducer under test/fixtures/fuzz/. Success or a DataError are the only allowed outcomes;
 * no tensor may leak, no input may take longer than the time limit. The long run is `npm run fuzz`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBackend } from '../support/tensors.js';
import { missing as missingPrerequisite } from '../support/prerequisites.js';
import { makeTargets, fuzzTarget, feed, reproducers, type FuzzTarget } from './fuzz-harness.js';

const PER_FORMAT = 200;
const TIME_LIMIT_MS = 5000;
let targets: FuzzTarget[] = [];
let missing: string[] = [];
let close: () => Promise<void> = async () => undefined;

before(async () => {
  await useBackend();
  ({ targets, missing, close } = await makeTargets());
});
after(() => close());

for (const name of ['idx', 'csv', 'npy', 'png', 'jpeg', 'checkpoint', 'model-json', 'cifar', 'ucr', 'wav']) {
  test(`fuzz ${name}: ${PER_FORMAT} mutated inputs, only success or DataError`, async (t) => {
    const target = targets.find((x) => x.name === name);
    if (target === undefined)
      return t.skip(
        missingPrerequisite('data', `no real ${name} file: ${missing.find((m) => m.startsWith(name)) ?? 'absent'} (set CONTRASTIVE_DATA)`),
      );
    const o = await fuzzTarget(target, { seed: 20261129, count: PER_FORMAT, timeLimitMs: TIME_LIMIT_MS });
    assert.equal(
      o.failures.length,
      0,
      o.failures
        .slice(0, 3)
        .map((f) => `input ${f.index} (${f.mutation}) ${f.kind}: ${f.message}`)
        .join('\n'),
    );
    assert.equal(o.ok + o.dataError, PER_FORMAT);
    assert.ok(o.dataError > 0, 'no input was rejected: the mutations do not reach the parser');
  });
}

test('fuzz reproducers: every saved input is now a success or a DataError', async (t) => {
  const saved = reproducers();
  if (saved.length === 0) return t.skip('no reproducers saved');
  for (const [name, path] of saved) {
    const target = targets.find((x) => x.name === name);
    // one subtest per reproducer, so that one whose format has no target here is a reported skip
    await t.test(path, async (st) => {
      if (target === undefined)
        return st.skip(missingPrerequisite('data', `no ${name} target here: ${missing.find((m) => m.startsWith(name)) ?? 'absent'}`));
      const r = await feed(target, new Uint8Array(readFileSync(path)), TIME_LIMIT_MS);
      assert.notEqual(r.result, 'fail', `${path}: ${JSON.stringify(r)}`);
    });
  }
});
