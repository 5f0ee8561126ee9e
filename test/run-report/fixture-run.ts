/**
 * A small run folder for the report tests, made without training: config.json for an MLP SimCLR
 * run on the bundled digits, step and epoch lines, an eval.json, and an encoder (its random
 * initialisation, saved as both `encoder/` and `encoder-random/` with different seeds).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEncoder, type Recipe } from '../../src/recipes/recipe.js';
import { saveModel } from '../../src/node/run/model-io.js';

export const RECIPE: Recipe = {
  method: 'simclr',
  arch: 'mlp',
  inputShape: [64],
  kind: 'vector',
  width: 64,
  augmentation: 'vector-corruption',
  flip: true,
  temperature: 0.5,
  projectionDim: 128,
  seed: 0,
};

export const STEPS = 30;

export function metricsText(steps = STEPS): string {
  return (
    Array.from({ length: steps }, (_, i) =>
      JSON.stringify({
        step: i + 1,
        epoch: Math.floor(i / 10),
        loss: 5 - i * 0.05,
        lr: 1e-3 * Math.min(1, (i + 1) / 3),
        samplesPerSec: 100,
        elapsed: i,
      }),
    ).join('\n') + '\n'
  );
}

export function epochsText(): string {
  return (
    [0, 1, 2].map((e) => JSON.stringify({ epoch: e, step: 10 * (e + 1), loss: 4.8 - e * 0.4, knn: 0.6 + e * 0.1, seconds: 3 })).join('\n') +
    '\n'
  );
}

export const EVAL = {
  linear: { '1%': 0.5, '10%': 0.8, '100%': 0.9 },
  knn: { '1%': 0.55, '10%': 0.78, '100%': 0.88 },
  kmeans: { nmi: 0.6, ari: 0.5 },
  alignment: 0.4,
  uniformity: -3.1,
  baselines: {
    pixels: { linear: { '1%': 0.45, '10%': 0.85, '100%': 0.95 }, knn: { '1%': 0.6, '10%': 0.9, '100%': 0.97 } },
    random: { linear: { '1%': 0.3, '10%': 0.6, '100%': 0.8 }, knn: { '1%': 0.4, '10%': 0.7, '100%': 0.85 } },
  },
};

export function configObject(dir: string): Record<string, unknown> {
  return {
    options: { method: 'simclr', data: 'digits', split: 'train', batchSize: 64, seed: 0, out: dir },
    recipe: RECIPE,
    data: { name: 'digits', size: 1797, trainSize: 1617, monitorSize: 180, sampleShape: [64], kind: 'vector' },
    backend: { name: 'cpu', threads: 1 },
    created: '2026-01-01T00:00:00.000Z',
    result: { steps: STEPS, epochs: 3, lastLoss: 3.55, seconds: 12.5, backend: { name: 'wasm', threads: 2 } },
  };
}

/** Writes the fixture into a fresh temp folder; returns its path. Needs an active tf backend. */
export async function makeRunFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-report-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configObject(dir), null, 2));
  writeFileSync(join(dir, 'metrics.jsonl'), metricsText());
  writeFileSync(join(dir, 'epochs.jsonl'), epochsText());
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(EVAL));
  for (const [sub, seed] of [
    ['encoder', 1],
    ['encoder-random', 2],
  ] as const) {
    const m = buildEncoder(RECIPE, seed);
    await saveModel(m, join(dir, sub));
    m.dispose();
  }
  return dir;
}

/** A temperature sweep of three runs, `simclr-t0.5` among them (the fixture run's τ is 0.5). */
export const SWEEP = {
  loss: 'ntxent',
  steps: 300,
  points: [
    {
      temperature: 0.5,
      run: 'simclr-t0.5',
      alignment: 0.6,
      uniformity: -3.2,
      linear: { '1%': 0.66, '10%': 0.77 },
      knn: { '1%': 0.65, '10%': 0.72 },
    },
    {
      temperature: 0.1,
      run: 'simclr-t0.1',
      alignment: 0.9,
      uniformity: -3.6,
      linear: { '1%': 0.6, '10%': 0.74 },
      knn: { '1%': 0.6, '10%': 0.7 },
    },
    {
      temperature: 2,
      run: 'simclr-t2',
      alignment: null,
      uniformity: null,
      linear: { '1%': 0.5, '10%': 0.7 },
      knn: { '1%': 0.5, '10%': 0.6 },
    },
  ],
};
