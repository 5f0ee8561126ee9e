/**
 * Linear probe: multinomial logistic regression on frozen features, the standard measure of a
 * representation (SimCLR, arXiv:2002.05709, §B.6 "linear evaluation"; the L2 penalty chosen on
 * held-out data as there, from a small grid).
 *
 * 1. Standardise every feature with the train mean and std (a constant feature becomes 0).
 * 2. Choose λ by class-stratified k-fold cross-validation (seeded; on a stratified subset of at
 *    most `maxSelectionRows` rows of large train sets): walk the grid strongest first, fitting
 *    every fold at each λ warm-started from its previous one, until `patience` weaker ones in a row
 *    do not improve; keep the λ with the best validation accuracy pooled over the folds (ties:
 *    lower validation cross-entropy, then the stronger penalty). One held-out slice is too noisy
 *    with few labels: at 1% of Fashion-MNIST it is 120 images, and a 2-image difference there
 *    moved the test accuracy by 2 points (BENCHMARKS.md, Evaluation); k folds validate on every row.
 * 3. Refit on all of train with that L2 and score the test split.
 * Full-batch L-BFGS: no learning rate to tune, deterministic (the seed only picks the folds).
 */
import * as tf from '../tf.js';
import { ConfigError, DataError } from '../errors.js';
import { assertFinite, assertInteger, assertNonNegative, assertPositive } from '../validate.js';
import { assertFeatures, assertLabels, assertOptionsObject, assertSameDim, selectLabels, toTensor, type Features } from './features.js';
import { accuracy } from './metrics.js';
import { SoftmaxProblem, softmaxPredict, type SoftmaxParams } from './softmax-regression.js';
import { stratifiedFolds, stratifiedSubset } from './stratify.js';

export interface LinearProbeOptions {
  /** Number of classes C. @default the largest label in train or test + 1 */
  numClasses?: number;
  /**
   * L2 penalties λ tried (loss = mean cross-entropy + λ/2 ||W||²).
   * @default [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1] (log grid; SimCLR §B.6 also searches a log grid)
   */
  l2Grid?: number[];
  /** Cross-validation folds that choose λ (each holds out about 1/folds of every class). @default 5 (scikit-learn LogisticRegressionCV) */
  folds?: number;
  /** Seed of the folds. @default 0 */
  seed?: number;
  /** L-BFGS iterations per fit. @default 100 (scikit-learn LogisticRegression `max_iter`) */
  maxIterations?: number;
  /**
   * A fit stops when max |gradient| <= tolerance * max(1, loss) (loss: mean cross-entropy + penalty).
   * @default 1e-4 (scikit-learn LogisticRegression `tol`, lbfgs)
   */
  tolerance?: number;
  /** λ used when nothing can be held out (every class has one train row). @default 1e-3 */
  fallbackL2?: number;
  /**
   * Most train rows used to choose λ (a class-stratified, seeded subset when train is larger; the
   * final refit always uses every row). Bounds the cost of the grid on large train sets.
   * @default 10_000
   */
  maxSelectionRows?: number;
  /**
   * The grid walk (strongest λ first) stops after this many weaker penalties in a row fail to
   * improve the validation score; `Infinity` tries every value. @default 2
   */
  patience?: number;
}

/** One grid point's validation score. */
export interface L2Trial {
  l2: number;
  validationAccuracy: number;
  validationCrossEntropy: number;
}

export interface LinearProbeResult {
  /** Test top-1 accuracy in [0, 1]. */
  accuracy: number;
  /** The chosen L2 penalty λ. */
  l2: number;
  /** Validation accuracy of the chosen λ, pooled over the folds; null when nothing was held out. */
  validationAccuracy: number | null;
  /** Every grid point tried, in the order tried (strongest first; the walk may stop early). */
  trials: L2Trial[];
  /** Predicted class of each test row. */
  predictions: Int32Array;
}

const FN = 'linearProbe';

/**
 * Trains a linear classifier on frozen train features and scores the test split.
 *
 * @example
 * const { accuracy, l2 } = await linearProbe(trainH, trainLabels, testH, testLabels, { seed: 1 });
 */
export async function linearProbe(
  trainFeatures: Features,
  trainLabels: Int32Array,
  testFeatures: Features,
  testLabels: Int32Array,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  assertOptionsObject(options, FN);
  const {
    numClasses,
    l2Grid = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1],
    folds = 5,
    seed = 0,
    maxIterations = 100,
    tolerance = 1e-4,
    fallbackL2 = 1e-3,
    maxSelectionRows = 10_000,
    patience = 2,
  } = options;
  const [n, d] = assertFeatures(trainFeatures, FN, 'trainFeatures');
  const [m, dt] = assertFeatures(testFeatures, FN, 'testFeatures');
  assertSameDim(d, dt, FN, 'testFeatures', 'trainFeatures');
  if (numClasses !== undefined) assertInteger(numClasses, FN, 'numClasses');
  const c = numClasses ?? Math.max(assertLabels(trainLabels, n, FN, 'trainLabels'), assertLabels(testLabels, m, FN, 'testLabels'));
  assertLabels(trainLabels, n, FN, 'trainLabels', c);
  assertLabels(testLabels, m, FN, 'testLabels', c);
  if (!Array.isArray(l2Grid) || l2Grid.length === 0)
    throw new ConfigError(FN, 'l2Grid', `must be a non-empty array of numbers >= 0, got ${String(l2Grid)}`);
  l2Grid.forEach((v, i) => assertNonNegative(v, FN, `l2Grid[${i}]`));
  assertInteger(folds, FN, 'folds', 2);
  assertFinite(seed, FN, 'seed');
  assertInteger(maxIterations, FN, 'maxIterations');
  assertPositive(tolerance, FN, 'tolerance');
  assertNonNegative(fallbackL2, FN, 'fallbackL2');
  assertInteger(maxSelectionRows, FN, 'maxSelectionRows', 2);
  if (patience !== Infinity) assertInteger(patience, FN, 'patience');

  const train = toTensor(trainFeatures);
  const test = toTensor(testFeatures);
  const [zTrain, zTest, stats] = tf.tidy(() => {
    const { mean, variance } = tf.moments(train.tensor, 0); // [D], [D]
    const std = tf.sqrt(variance);
    const safeStd = tf.where(tf.greater(std, 1e-6), std, tf.onesLike(std)); // constant feature -> divide by 1
    const z = (x: tf.Tensor2D) => tf.div(tf.sub(x, mean), safeStd) as tf.Tensor2D;
    const testSum = tf.sum(test.tensor);
    return [z(train.tensor), z(test.tensor), tf.stack([tf.sum(mean), tf.sum(variance), testSum])];
  });
  if (train.owned) train.tensor.dispose();
  if (test.owned) test.tensor.dispose();
  const checks = await stats.data();
  stats.dispose();
  const problems: SoftmaxProblem[] = [];
  const owned: tf.Tensor[] = [zTrain, zTest];
  try {
    if (!Number.isFinite(checks[0]!) || !Number.isFinite(checks[1]!))
      throw new DataError(FN, 'trainFeatures', 'must hold finite values, got NaN or Infinity');
    if (!Number.isFinite(checks[2]!)) throw new DataError(FN, 'testFeatures', 'must hold finite values, got NaN or Infinity');
    const lbfgs = { maxIterations, gradientTolerance: tolerance };
    const trials: L2Trial[] = [];
    let l2 = l2Grid.length === 1 ? l2Grid[0]! : fallbackL2;
    let validationAccuracy: number | null = null;
    let init: SoftmaxParams | undefined;
    const pool =
      n > maxSelectionRows ? stratifiedSubset(trainLabels, maxSelectionRows / n, seed) : Int32Array.from({ length: n }, (_, i) => i);
    const foldOf = stratifiedFolds(selectLabels(trainLabels, pool), folds, seed);
    const cv: { problem: SoftmaxProblem; zFit: tf.Tensor2D; zVal: tf.Tensor2D; valLabels: Int32Array; params: SoftmaxParams }[] = [];
    if (l2Grid.length > 1) {
      for (let f = 0; f < folds; f++) {
        const fitRows = pool.filter((_, i) => foldOf[i] !== f); // rows of train
        const valRows = pool.filter((_, i) => foldOf[i] === f);
        if (valRows.length === 0) continue;
        const zFit = tf.gather(zTrain, fitRows); // [N_fit, D]
        const zVal = tf.gather(zTrain, valRows); // [N_val, D]
        owned.push(zFit, zVal);
        const problem = new SoftmaxProblem(zFit, selectLabels(trainLabels, fitRows), c);
        problems.push(problem);
        cv.push({ problem, zFit, zVal, valLabels: selectLabels(trainLabels, valRows), params: problem.zeros() });
      }
    }
    if (cv.length > 0) {
      const held = cv.reduce((s, f) => s + f.valLabels.length, 0);
      let best: { trial: L2Trial; params: SoftmaxParams } | undefined;
      let stale = 0;
      for (const lambda of [...l2Grid].sort((a, b) => b - a)) {
        let correct = 0;
        let crossEntropy = 0;
        for (const f of cv) {
          f.params = (await f.problem.fit(lambda, f.params, lbfgs)).params;
          const v = await softmaxPredict(f.zVal, f.params, c, f.valLabels);
          correct += accuracy(v.predictions, f.valLabels) * f.valLabels.length;
          crossEntropy += v.crossEntropy * f.valLabels.length;
        }
        const trial = { l2: lambda, validationAccuracy: correct / held, validationCrossEntropy: crossEntropy / held };
        trials.push(trial);
        const better =
          best === undefined ||
          trial.validationAccuracy > best.trial.validationAccuracy ||
          (trial.validationAccuracy === best.trial.validationAccuracy && trial.validationCrossEntropy < best.trial.validationCrossEntropy);
        if (better) best = { trial, params: cv[0]!.params };
        stale = better ? 0 : stale + 1;
        if (stale >= patience) break; // validation accuracy is past its peak along the path
      }
      l2 = best!.trial.l2;
      validationAccuracy = best!.trial.validationAccuracy;
      init = best!.params; // a warm start for the refit (the optimum does not depend on it)
      for (const f of cv) {
        problems.splice(problems.indexOf(f.problem), 1);
        f.problem.dispose(); // free the folds' copies before the full refit
        tf.dispose([f.zFit, f.zVal]);
      }
    }
    const full = new SoftmaxProblem(zTrain, trainLabels, c);
    problems.push(full);
    const { params } = await full.fit(l2, init, lbfgs);
    const { predictions } = await softmaxPredict(zTest, params, c);
    return { accuracy: accuracy(predictions, testLabels), l2, validationAccuracy, trials, predictions };
  } finally {
    for (const p of problems) p.dispose();
    tf.dispose(owned.filter((t) => !t.isDisposed));
  }
}
