/**
 * Weighted k-nearest-neighbour classifier on L2-normalised features (Wu et al. 2018, "Unsupervised
 * Feature Learning via Non-Parametric Instance Discrimination", arXiv:1805.01978, §3.4). Each test
 * row takes its k most cosine-similar train rows; neighbour i votes for its class with weight
 * exp(s_i / σ); the class with the largest total wins. The defaults are DINO's k = 20, T = 0.07,
 * sound at every label count; NPID's k = 200, σ = 0.1 is `KNN_PAPER_PROTOCOL` (knn-protocol.ts).
 *
 * Memory is bounded: test rows are processed in chunks so that a chunk's similarity matrix
 * `[rows, N_train]` never holds more than `maxChunkValues` numbers.
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { assertInteger, assertOneOf, assertPositive } from '../validate.js';
import { assertFeatures, assertLabels, assertOptionsObject, assertSameDim, type Features } from './features.js';
import { accuracy } from './metrics.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { topKRows } from './top-k.js';
import { KNN_PROTOCOL } from './knn-protocol.js';

export interface KnnOptions {
  /** Neighbours that vote; clipped to the number of train rows. @default 20 (DINO, arXiv:2104.14294; NPID used 200 for 50,000 labels) */
  k?: number;
  /** σ in the vote weight exp(similarity / σ). @default 0.07 (DINO, arXiv:2104.14294; NPID used 0.1) */
  temperature?: number;
  /** Number of classes C; labels must lie in [0, C). @default the largest label + 1 */
  numClasses?: number;
  /**
   * Most similarity values computed at once: each chunk holds floor(this / N_train) test rows
   * (at least 1). @default 8_388_608 (2^23 float32 = 32 MiB)
   */
  maxChunkValues?: number;
  /**
   * Where the k most similar are picked: `'backend'` (tf.topk), `'js'` (the similarities are read
   * back and selected in a JS heap, ~10x faster where the backend's TopK is the CPU reference
   * kernel), or `'auto'`: `'js'` exactly when the active backend's TopK is that reference kernel.
   * @default 'auto'
   */
  selection?: 'auto' | 'backend' | 'js';
}

/** True when the active backend runs TopK with the CPU reference kernel (cpu, and backends built on it). */
function usesReferenceTopK(): boolean {
  const mine = tf.getKernel('TopK', tf.getBackend());
  const cpu = tf.getKernel('TopK', 'cpu');
  return mine === undefined || (cpu !== undefined && mine.kernelFunc === cpu.kernelFunc);
}

const FN = 'knnClassifier';

/**
 * A fitted kNN classifier: holds the normalised train features (transposed, `[D, N_train]`, so
 * that scoring is one plain matMul: transposed matMuls are slow on wasm). Call `dispose()`.
 */
export class KnnClassifier {
  /** Number of train rows. */
  readonly numTrain: number;
  /** Feature width D. */
  readonly dim: number;
  readonly numClasses: number;
  /** Neighbours that vote (already clipped to `numTrain`). */
  readonly k: number;
  readonly temperature: number;
  private readonly bankT: tf.Tensor2D; // [D, N_train], unit columns
  private readonly labels: Int32Array;
  private readonly maxChunkValues: number;
  private readonly selection: 'auto' | 'backend' | 'js';

  constructor(trainFeatures: Features, trainLabels: Int32Array, options: KnnOptions = {}) {
    assertOptionsObject(options, FN);
    const {
      k = KNN_PROTOCOL.k,
      temperature = KNN_PROTOCOL.temperature,
      numClasses,
      maxChunkValues = 2 ** 23,
      selection = 'auto',
    } = options;
    const [n, d] = assertFeatures(trainFeatures, FN, 'trainFeatures');
    if (numClasses !== undefined) assertInteger(numClasses, FN, 'numClasses');
    const classes = assertLabels(trainLabels, n, FN, 'trainLabels', numClasses);
    assertInteger(k, FN, 'k');
    assertPositive(temperature, FN, 'temperature');
    assertInteger(maxChunkValues, FN, 'maxChunkValues');
    assertOneOf(selection, ['auto', 'backend', 'js'], FN, 'selection');
    this.numTrain = n;
    this.dim = d;
    this.numClasses = numClasses ?? classes;
    this.k = Math.min(k, n);
    this.temperature = temperature;
    this.labels = trainLabels.slice();
    this.maxChunkValues = maxChunkValues;
    this.selection = selection;
    this.bankT = tf.tidy(() => {
      const x = trainFeatures instanceof tf.Tensor ? trainFeatures : tf.tensor2d(trainFeatures.data, [n, d]);
      return tf.transpose(l2Normalize(x)); // [D, N_train]
    });
  }

  /** Predicted class of each row of `testFeatures` `[M, D]`. */
  async predict(testFeatures: Features): Promise<Int32Array> {
    const [m, d] = assertFeatures(testFeatures, 'KnnClassifier.predict', 'testFeatures', 0);
    assertSameDim(this.dim, d, 'KnnClassifier.predict', 'testFeatures', 'trainFeatures');
    if (this.bankT.isDisposed) throw new ConfigError('KnnClassifier.predict', undefined, 'the classifier was disposed');
    const out = new Int32Array(m);
    const rows = Math.max(1, Math.floor(this.maxChunkValues / this.numTrain));
    const scores = new Float64Array(this.numClasses);
    const jsSelection = this.selection === 'js' || (this.selection === 'auto' && usesReferenceTopK());
    for (let start = 0; start < m; start += rows) {
      const size = Math.min(rows, m - start);
      const sims = tf.tidy(() => {
        const q =
          testFeatures instanceof tf.Tensor
            ? tf.slice(testFeatures, [start, 0], [size, d])
            : tf.tensor2d(testFeatures.data.subarray(start * d, (start + size) * d), [size, d]);
        return tf.matMul(l2Normalize(q), this.bankT); // [size, N_train] cosine similarities
      });
      let sim: Float32Array;
      let idx: Int32Array;
      if (jsSelection) {
        ({ values: sim, indices: idx } = topKRows((await sims.data()) as Float32Array, size, this.numTrain, this.k)); // [size, k] each
        sims.dispose();
      } else {
        const { values, indices } = tf.topk(sims, this.k, false); // [size, k] each
        sims.dispose();
        sim = (await values.data()) as Float32Array;
        idx = (await indices.data()) as Int32Array;
        tf.dispose([values, indices]);
      }
      for (let r = 0; r < size; r++) {
        scores.fill(0);
        const base = r * this.k;
        let top = -Infinity; // weights relative to the best neighbour: same argmax, no overflow
        for (let j = 0; j < this.k; j++) top = Math.max(top, sim[base + j]!);
        for (let j = 0; j < this.k; j++) {
          scores[this.labels[idx[base + j]!]!]! += Math.exp((sim[base + j]! - top) / this.temperature);
        }
        let best = 0;
        for (let c = 1; c < this.numClasses; c++) if (scores[c]! > scores[best]!) best = c;
        out[start + r] = best;
      }
    }
    return out;
  }

  /** Frees the stored train features. */
  dispose(): void {
    this.bankT.dispose();
  }
}

/** Fits a weighted kNN classifier on train features `[N, D]` and their labels. Call `dispose()`. */
export function knnClassifier(trainFeatures: Features, trainLabels: Int32Array, options: KnnOptions = {}): KnnClassifier {
  return new KnnClassifier(trainFeatures, trainLabels, options);
}

/**
 * Top-1 accuracy in [0, 1] of the weighted kNN classifier (cosine similarity; by default k = 20,
 * σ = 0.07, KNN_PROTOCOL) fitted on the train split and scored on the test split.
 *
 * @example
 * const acc = await knnAccuracy(trainH, trainLabels, testH, testLabels); // 0.83
 */
export async function knnAccuracy(
  trainFeatures: Features,
  trainLabels: Int32Array,
  testFeatures: Features,
  testLabels: Int32Array,
  options: KnnOptions = {},
): Promise<number> {
  const fn = 'knnAccuracy';
  assertOptionsObject(options, fn);
  const [n, d] = assertFeatures(trainFeatures, fn, 'trainFeatures');
  const [m, dt] = assertFeatures(testFeatures, fn, 'testFeatures');
  assertSameDim(d, dt, fn, 'testFeatures', 'trainFeatures');
  if (options.numClasses !== undefined) assertInteger(options.numClasses, fn, 'numClasses');
  const c1 = assertLabels(trainLabels, n, fn, 'trainLabels', options.numClasses);
  const c2 = assertLabels(testLabels, m, fn, 'testLabels', options.numClasses);
  const knn = new KnnClassifier(trainFeatures, trainLabels, { ...options, numClasses: options.numClasses ?? Math.max(c1, c2) });
  try {
    return accuracy(await knn.predict(testFeatures), testLabels);
  } finally {
    knn.dispose();
  }
}
