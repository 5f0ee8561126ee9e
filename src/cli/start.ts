/**
 * `npm start`: the whole product in under 5 minutes on a 2-core machine. Pretrains SimCLR on the
 * bundled Fashion-MNIST for a number of steps sized to a time budget (measured on this machine's
 * best backend before training), evaluates the encoder (linear probe and kNN at 1%, 10%, 100% of
 * the labels, against raw pixels and the same encoder with random weights), prints the table.
 *
 * Environment: CONTRASTIVE_START_BUDGET=<seconds> sets the training budget (default 120).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, describeBackend } from '../backend.js';
import type { Recipe } from './recipe.js';
import { measureStepSeconds, runPretrain, type PretrainOptions } from './pretrain.js';
import { formatReport, runEval } from './eval.js';

const t0 = performance.now();
const secs = (): string => ((performance.now() - t0) / 1000).toFixed(0);
const budget = Number(process.env.CONTRASTIVE_START_BUDGET ?? 120);
const BATCH = 256;
const EVAL_TRAIN = 4000;
const EVAL_TEST = 1000;

const info = await initBackend();
console.log(`contrastive: ${describeBackend(info)}`);
console.log(`npm start: SimCLR on the bundled Fashion-MNIST, small CNN, batch ${BATCH}; about ${Math.round(budget)} s of training sized to this machine, then evaluation on ${EVAL_TRAIN} train / ${EVAL_TEST} test images (target: under 5 minutes in all)`);

// Measure one training step on this backend (a throwaway model, same architecture).
const recipe: Recipe = { method: 'simclr', arch: 'small-cnn', inputShape: [28, 28, 1], kind: 'image', width: 64, augmentation: 'small-grey-jitter', flip: true, temperature: 0.5, projectionDim: 128, seed: 0 };
const stepSeconds = await measureStepSeconds(recipe, 'fashion-mnist', BATCH);
const steps = Math.max(20, Math.min(3000, Math.floor(budget / stepSeconds)));
console.log(`one step (${BATCH} images, 2 views) takes ${stepSeconds.toFixed(2)} s here: training ${steps} steps, expected ~${Math.round(steps * stepSeconds)} s`);

const out = join('runs', 'start');
rmSync(out, { recursive: true, force: true });
const options: PretrainOptions = {
  method: 'simclr',
  data: 'fashion-mnist',
  split: 'train',
  limit: Math.min(60000, Math.max(10000, steps * BATCH)),
  arch: 'small-cnn',
  steps,
  batchSize: BATCH,
  temperature: 0.5,
  optimizer: 'adam',
  weightDecay: 1e-6,
  clipNorm: 0,
  seed: 0,
  width: 64,
  out,
  resume: false,
  flip: true,
  monitor: 0,
};
const { result } = await runPretrain(options);
console.log(`trained ${result.steps} steps in ${result.seconds.toFixed(0)} s (final loss ${result.lastLoss.toFixed(3)}); evaluating... (${secs()} s so far)`);
const report = await runEval({ run: out, data: 'fashion-mnist', limit: EVAL_TRAIN, testLimit: EVAL_TEST, pairs: 1000 });
console.log('');
console.log(`Label efficiency on Fashion-MNIST (${EVAL_TEST} test images; probes trained on 1%, 10%, 100% of ${EVAL_TRAIN} labelled train images), accuracy %:`);
console.log(formatReport(report));
console.log('');
console.log(`total ${secs()} s on backend ${info.name} (${info.threads} threads). The run is in ${out}/ (config.json, metrics.jsonl, encoder/).`);
