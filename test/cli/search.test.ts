/**
 * `contrastive search` end to end on a real LanceDB: the exact `--json` shape, a query that is in
 * the index left out of its own neighbours, an image file as query, the HTML gallery, and bad
 * input (one line, exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, errLines, flatCollection, tempDir, tinyRun, writeImage } from '../support/image-collection.js';

const work = tempDir();
const photos = await flatCollection(24, join(work, 'photos'));
const run = join(work, 'run');
tinyRun(photos, run);
const db = join(work, 'db');
const built = cli(['index', '--run', run, '--db', db]);
assert.equal(built.status, 0, built.stderr);

test('search --json: one line per query, exactly {query, neighbours: [{id, path, distance}]}, the query not among its neighbours', () => {
  const r = cli(['search', '--db', db, '--query', '005.png', '--query', join(photos, '010.png'), '-k', '4', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  for (const [i, line] of lines.entries()) {
    const o = JSON.parse(line);
    assert.deepEqual(Object.keys(o), ['query', 'neighbours']);
    assert.equal(o.query, i === 0 ? '005.png' : join(photos, '010.png'));
    assert.equal(o.neighbours.length, 4);
    for (const n of o.neighbours) {
      assert.deepEqual(Object.keys(n), ['id', 'path', 'distance']);
      assert.equal(n.path, join(photos, n.id));
      assert.ok(typeof n.distance === 'number' && n.distance >= 0 && n.distance <= 2);
    }
    const ids = o.neighbours.map((n: { id: string }) => n.id);
    assert.ok(!ids.includes(i === 0 ? '005.png' : '010.png'), 'the query is not its own neighbour');
    assert.equal(new Set(ids).size, 4);
    for (let k = 1; k < 4; k++) assert.ok(o.neighbours[k].distance >= o.neighbours[k - 1].distance);
  }
});

test('search: an image outside the index as query, the plain listing, and --html writes a self-contained gallery', async () => {
  const q = join(work, 'query.png');
  await writeImage(q, 1);
  const html = join(work, 'out', 'gallery.html');
  mkdirSync(join(work, 'out'));
  const r = cli(['search', '--db', db, '--query', q, '--query', '000.png', '-k', '3', '--html', html]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /query\.png:\n\s+1\. \d\.\d{4} {2}\d{3}\.png/);
  const page = readFileSync(html, 'utf8');
  assert.equal((page.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length, 8, 'two queries, three neighbours each, all inlined');
  assert.ok(!/src="(?!data:)/.test(page), 'no external image references');
});

test('search: bad input is one line and exit 2', () => {
  const check = (args: string[], re: RegExp): void => {
    const r = cli(['search', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = errLines(r.stderr);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, re);
  };
  check(['--db', db, '--query', 'no-such-id.png'], /is neither an id in the index .* nor an image file/);
  check(['--db', join(work, 'nowhere'), '--query', '000.png'], /does not exist/);
  const notIndex = join(work, 'notes');
  mkdirSync(notIndex);
  writeFileSync(join(notIndex, 'a.txt'), 'x');
  check(['--db', notIndex, '--query', '000.png'], /is not an index/);
  check(['--db', db, '--table', 'other', '--query', '000.png'], /no table 'other'/);
  // a query image embedded by an encoder of another width than the index's vectors
  const pixels = join(work, 'db-pixels');
  assert.equal(cli(['index', '--run', run, '--db', pixels, '--encoder', 'pixels']).status, 0);
  check(
    ['--db', pixels, '--query', join(photos, '001.png'), '--run', run],
    /as a \d+-d vector, but the index holds 768-d vectors \(an encoder of another width\)/,
  );
  check(['--db', db, '--query', '000.png', '-k', '0'], /-k/);
});
