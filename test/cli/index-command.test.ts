/**
 * `contrastive index` end to end on a real LanceDB in a temp folder: incremental re-index, a
 * process killed mid-way then rerun, two shard writers at once, and every bad input (one line,
 * exit 2, nothing written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VectorIndex } from '../../src/node/search/vector-index.js';
import { cli, cliChild, errLines, finished, flatCollection, tempDir, tinyRun, writeImage } from '../support/image-collection.js';
import { makeReadOnly } from '../support/read-only.js';

const work = tempDir();
const photos = await flatCollection(40, join(work, 'photos'));
const run = join(work, 'run');
tinyRun(photos, run);

async function rows(db: string): Promise<{ count: number; ids: Set<string> }> {
  const ix = await VectorIndex.open(db);
  try {
    return { count: await ix.count(), ids: await ix.ids() };
  } finally {
    ix.close();
  }
}

test('index: one row per image; rerun adds new files and drops deleted ones (incremental)', async () => {
  const folder = await flatCollection(12, join(work, 'inc'));
  const db = join(work, 'db-inc');
  const a = cli(['index', '--run', run, '--data', `folder:${folder}`, '--db', db]);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /12 added, 0 removed, 0 unchanged; 12 rows/);
  rmSync(join(folder, '003.png'));
  rmSync(join(folder, '007.png'));
  for (const i of [50, 51, 52]) await writeImage(join(folder, 'new', `${i}.png`), i);
  const b = cli(['index', '--run', run, '--data', `folder:${folder}`, '--db', db]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /3 added, 2 removed, 10 unchanged; 13 rows/);
  const r = await rows(db);
  assert.equal(r.count, 13);
  assert.ok(r.ids.has('new/50.png') && !r.ids.has('003.png'));
  const c = cli(['index', '--run', run, '--data', `folder:${folder}`, '--db', db]);
  assert.match(c.stdout, /0 added, 0 removed, 13 unchanged; 13 rows/);
});

test('index: killed in the middle, then rerun: every image exactly once', async () => {
  const folder = await flatCollection(150, join(work, 'kill'));
  const db = join(work, 'db-kill');
  const child = cliChild(['index', '--run', run, '--data', `folder:${folder}`, '--db', db, '--chunk', '1']);
  const done = finished(child);
  await new Promise<void>((res) => {
    child.stderr!.on('data', (d: Buffer) => {
      if (/index: \d+\/150 embedded/.test(d.toString())) {
        child.kill('SIGKILL');
        res();
      }
    });
  });
  const killed = await done;
  assert.equal(killed.signal, 'SIGKILL');
  const mid = await rows(db);
  assert.ok(mid.count > 0 && mid.count < 150, `rows after the kill: ${mid.count}`);
  const again = cli(['index', '--run', run, '--data', `folder:${folder}`, '--db', db, '--chunk', '64']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`${150 - mid.count} added, 0 removed, ${mid.count} unchanged; 150 rows`));
  const after = await rows(db);
  assert.equal(after.count, 150);
  assert.equal(after.ids.size, 150);
});

test('index --shard: two processes fill one table at once, no row lost or duplicated', async () => {
  const db = join(work, 'db-shards');
  const a = finished(cliChild(['index', '--run', run, '--db', db, '--shard', '1/2', '--chunk', '4']));
  const b = finished(cliChild(['index', '--run', run, '--db', db, '--shard', '2/2', '--chunk', '4']));
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(ra.status, 0, ra.stderr);
  assert.equal(rb.status, 0, rb.stderr);
  const added = [ra, rb].map((r) => Number(/(\d+) added/.exec(r.stdout)![1]));
  assert.ok(
    added.every((n) => n > 0),
    `each shard added rows: ${added}`,
  );
  assert.equal(added[0]! + added[1]!, 40);
  const r = await rows(db);
  assert.equal(r.count, 40);
  assert.equal(r.ids.size, 40);
  // the slices are deterministic: a rerun of either shard has nothing to add
  assert.match(cli(['index', '--run', run, '--db', db, '--shard', '2/2']).stdout, /0 added, 0 removed, \d+ unchanged; 40 rows/);
});

test('index: bad input is one line and exit 2, and leaves nothing behind', async (t) => {
  const check = (args: string[], re: RegExp, db: string): void => {
    const r = cli(['index', '--run', run, ...args, '--db', db]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = errLines(r.stderr);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, re);
  };
  const fresh = join(work, 'never');
  check(['--shard', '3/2'], /--shard.*1 <= i <= n.*"3\/2"/, fresh);
  check(['--shard', '0/2'], /--shard/, fresh);
  const empty = join(work, 'empty');
  mkdirSync(empty);
  check(['--data', `folder:${empty}`], /holds no image files/, fresh);
  assert.ok(!existsSync(fresh), 'nothing written for a refused run');
  const notIndex = join(work, 'not-an-index');
  mkdirSync(notIndex);
  writeFileSync(join(notIndex, 'thesis.pdf'), 'x');
  check([], /is not an index: it holds other files \(thesis\.pdf\)/, notIndex);
  assert.deepEqual(readdirSync(notIndex), ['thesis.pdf']);
  const ro = join(work, 'read-only');
  mkdirSync(ro);
  const undo = makeReadOnly(ro); // root included
  await t.test('a read-only folder', { skip: typeof undo === 'string' ? undo : false }, () => {
    try {
      check([], /not writable/, join(ro, 'db'));
    } finally {
      if (typeof undo === 'function') undo();
    }
  });
  // an index built by another encoder is not mixed with this one
  const db = join(work, 'db-pixels');
  assert.equal(cli(['index', '--run', run, '--db', db, '--encoder', 'pixels']).status, 0);
  check([], /holds vectors of run .*pixels encoder, 768-d.*use another --table or --db/, db);
  assert.equal((await rows(db)).count, 40);
});
