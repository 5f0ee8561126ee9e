import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configObject, metricsText } from './fixture-run.js';

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });

test('contrastive report: writes report.html, lists what is missing on stderr; a wrong --run exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-cli-report-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configObject(dir)));
  writeFileSync(join(dir, 'metrics.jsonl'), metricsText(10));
  const r = cli(['report', '--run', dir, '--no-embeddings']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /report\.html \(\d+ kB\)/);
  assert.match(r.stderr, /report: epochs\.jsonl is missing/);
  assert.match(r.stderr, /report: eval\.json is missing/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.ok(html.includes('"step":10'));
  const bad = cli(['report', '--run', join(dir, 'nope'), '--no-embeddings']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.trim(), /^contrastive: readRunTexts: `dir` must be a run folder, got '.*nope' \(not found\)$/);
});
