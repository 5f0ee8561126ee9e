/**
 * Your own unlabelled images end to end: `pretrain` on a flat folder with a corrupt file and a
 * non-image among the images (skipped, counted on stderr, listed in skipped.txt; no kNN
 * monitor; alignment, uniformity and the collapse signal per epoch), then `eval` (the unlabelled
 * report) and the report (UMAP without class colours).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, flatCollection, tempDir, writeImage } from '../support/image-collection.js';

test('pretrain, eval and report on an unlabelled folder with a corrupt file and a non-image', async () => {
  const work = tempDir();
  const photos = await flatCollection(40, join(work, 'photos'));
  await writeImage(join(photos, 'trip', 'beach.jpg'), 5, 'jpeg'); // nested: still one collection
  writeFileSync(join(photos, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  writeFileSync(join(photos, 'notes.txt'), 'not an image');
  const run = join(work, 'run');
  const p = cli(['pretrain', '--data', `folder:${photos}`, '--image-size', '16', '--epochs', '2', '--batch-size', '16', '--out', run]);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /42 images, unlabelled: 41 lie directly in the root/);
  assert.match(p.stderr, /skipped 2 files that are not readable images \(listed in .*skipped\.txt\)/);
  assert.doesNotMatch(p.stderr, /kNN monitor/);
  const skipped = readFileSync(join(run, 'skipped.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t')[0]);
  assert.deepEqual(skipped.sort(), ['broken.jpg', 'notes.txt']);
  const epochs = readFileSync(join(run, 'epochs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(epochs.length, 2);
  for (const e of epochs) {
    assert.equal(e.knn, undefined);
    assert.ok(Number.isFinite(e.alignment) && Number.isFinite(e.uniformity), JSON.stringify(e));
    assert.ok(e.embeddingStd > 0 && e.embeddingStd < 1, JSON.stringify(e));
  }
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal(config.data.monitorSize, 0);
  // the saved encoders, trained and random, end with the whitening of h fitted on the training images
  assert.deepEqual(config.recipe.featureWhitening, { shrinkage: 0.5, samples: 10000 });
  assert.match(p.stderr, /encoder saved to .* \(ending with the whitening of h fitted on 42 training samples, α 0\.5\)/);
  for (const dir of ['encoder', 'encoder-random']) {
    const layers = JSON.parse(readFileSync(join(run, dir, 'model.json'), 'utf8')).modelTopology.config.layers as { name: string }[];
    assert.equal(layers.at(-1)!.name, 'feature_whitening', dir);
  }

  const e = cli(['eval', '--run', run, '--json', '--clusters', '3']);
  assert.equal(e.status, 0, e.stderr);
  const r = JSON.parse(e.stdout.trim());
  assert.deepEqual(Object.keys(r).sort(), ['alignment', 'embeddingStd', 'kmeans', 'rows', 'uniformity']);
  assert.equal(r.kmeans.k, 3);
  assert.equal(
    r.kmeans.sizes.reduce((a: number, b: number) => a + b, 0),
    r.rows,
  );
  assert.ok(Number.isFinite(r.kmeans.inertia));

  const page = readFileSync(join(run, 'report.html'), 'utf8');
  assert.match(page, /"classNames":\["unlabelled"\]/, 'UMAP with one colour');
});
