/** Synthetic labelled features for the evaluation tests: Gaussian clusters, one per class. */
import { randn, rng } from '../support/tensors.js';

export interface Synthetic {
  /** Row-major [n, dim]. */
  data: Float32Array;
  labels: Int32Array;
  dim: number;
}

/**
 * `perClass` rows for each of `classes` classes: centre (random, each coordinate N(0, separation²))
 * plus N(0, 1) noise. The class centres depend on `seed` only, so two calls with the same seed and
 * different `noiseSeed` give a train and a test split of the same distribution.
 */
export function gaussianClusters(
  classes: number,
  perClass: number,
  dim: number,
  separation: number,
  seed: number,
  noiseSeed = seed + 1,
): Synthetic {
  const centres = randn(classes * dim, seed);
  const noise = randn(classes * perClass * dim, noiseSeed);
  const data = new Float32Array(classes * perClass * dim);
  const labels = new Int32Array(classes * perClass);
  for (let i = 0; i < classes * perClass; i++) {
    const c = i % classes; // classes interleaved
    labels[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = separation * centres[c * dim + j]! + noise[i * dim + j]!;
  }
  return { data, labels, dim };
}

/** Uniform random labels in [0, classes). */
export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * classes));
}
