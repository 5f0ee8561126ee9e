/**
 * k-means (Lloyd's algorithm) with k-means++ seeding (Arthur & Vassilvitskii 2007, "k-means++:
 * The Advantages of Careful Seeding", SODA). Several seeded restarts; the partition with the lowest
 * inertia (sum of squared distances to the assigned centre) wins. The assignment step is one
 * matMul on the backend (‖x‖² − 2 x·c + ‖c‖²), read back and reduced in JS; seeding and centre
 * updates run in plain JS.
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../random.js';
import { assertFinite, assertInteger } from '../validate.js';
import { assertFeatures, assertFiniteValues, featureValues, toTensor, type Features } from './features.js';

export interface KmeansOptions {
  /** Number of clusters; at most the number of rows. */
  k: number;
  /** Seed of the k-means++ draws. @default 0 */
  seed?: number;
  /** Most Lloyd iterations per restart (stops earlier when no assignment changes). @default 100 */
  iterations?: number;
  /** Independent k-means++ restarts; the lowest inertia is kept. @default 3 */
  restarts?: number;
}

export interface KmeansResult {
  /** Cluster id of each row, 0..k-1. */
  assignments: Int32Array;
  /** Centres, row-major `[k, D]`: the mean of each cluster's rows. */
  centroids: Float32Array;
  /** Sum over rows of the squared distance to their centre. */
  inertia: number;
  /** Lloyd iterations run by the winning restart. */
  iterations: number;
}

const FN = 'kmeans';

/** k-means++: first centre uniform, each next one drawn with probability ∝ squared distance to the nearest chosen. */
function seedCentres(x: Float32Array, n: number, d: number, k: number, rng: Rng): Float32Array {
  const centres = new Float32Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    centres.set(x.subarray(pick * d, pick * d + d), c * d);
    if (c === k - 1) break;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j]! - centres[c * d + j]!;
        s += diff * diff;
      }
      if (s < nearest[i]!) nearest[i] = s;
      total += nearest[i]!;
    }
    if (total > 0) {
      let r = rng.next() * total;
      pick = n - 1;
      for (let i = 0; i < n; i++) {
        r -= nearest[i]!;
        if (r < 0 && nearest[i]! > 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = rng.int(n); // fewer distinct points than k: any row
    }
  }
  return centres;
}

/** Nearest centre of every row and the squared distance to it: x·cᵀ on the backend, the rest in one JS loop. */
async function assign(
  x: tf.Tensor2D,
  xx: Float64Array,
  centres: Float32Array,
  k: number,
  d: number,
): Promise<{ ids: Int32Array; dist: Float32Array }> {
  const dotsT = tf.tidy(() => tf.matMul(x, tf.transpose(tf.tensor2d(centres, [k, d])))); // [N, k]
  const dots = (await dotsT.data()) as Float32Array;
  dotsT.dispose();
  const cc = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cc[c]! += centres[c * d + j]! ** 2;
  const n = xx.length;
  const ids = new Int32Array(n);
  const dist = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const d2 = cc[c]! - 2 * dots[i * k + c]!; // ‖x‖² is the same for every centre
      if (d2 < bestD) {
        bestD = d2;
        best = c;
      }
    }
    ids[i] = best;
    dist[i] = Math.max(0, xx[i]! + bestD);
  }
  return { ids, dist };
}

/** Cluster means; an empty cluster takes the row farthest from its centre. */
function update(x: Float32Array, n: number, d: number, k: number, ids: Int32Array, dist: Float32Array): Float32Array {
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = ids[i]!;
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += x[i * d + j]!;
  }
  const centres = new Float32Array(k * d);
  const far = dist.slice();
  for (let c = 0; c < k; c++) {
    if (counts[c]! === 0) {
      let best = 0;
      for (let i = 1; i < n; i++) if (far[i]! > far[best]!) best = i;
      far[best] = -1;
      centres.set(x.subarray(best * d, best * d + d), c * d);
    } else {
      for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / counts[c]!;
    }
  }
  return centres;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Clusters the rows of `features` `[N, D]` into `k` groups.
 *
 * @example
 * const { assignments } = await kmeans(testH, { k: 10, seed: 0 });
 * nmi(assignments, testLabels);
 */
export async function kmeans(features: Features, options: KmeansOptions): Promise<KmeansResult> {
  if (options === null || typeof options !== 'object') throw new ConfigError(FN, 'options', 'must be an object with k');
  const { k, seed = 0, iterations = 100, restarts = 3 } = options;
  const [n, d] = assertFeatures(features, FN, 'features');
  assertInteger(k, FN, 'k');
  if (k > n) throw new ConfigError(FN, 'k', `must be <= the number of rows ${n}, got ${k}`);
  assertFinite(seed, FN, 'seed');
  assertInteger(iterations, FN, 'iterations');
  assertInteger(restarts, FN, 'restarts');
  const values = await featureValues(features);
  assertFiniteValues(values, d, FN, 'features');
  const rng = new Rng(seed);
  const { tensor: x, owned } = toTensor(features);
  const xx = new Float64Array(n); // ‖x_i‖²
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xx[i]! += values[i * d + j]! ** 2;
  let best: KmeansResult | undefined;
  try {
    for (let r = 0; r < restarts; r++) {
      let centres = seedCentres(values, n, d, k, rng.fork());
      let prev: Int32Array | undefined;
      let it = 0;
      while (it < iterations) {
        const { ids, dist } = await assign(x, xx, centres, k, d);
        it++;
        if (prev !== undefined && sameIds(ids, prev)) break;
        centres = update(values, n, d, k, ids, dist);
        prev = ids;
      }
      // prev is the partition and centres its means (or the empty-cluster fix-ups).
      const ids = prev ?? new Int32Array(n);
      let inertia = 0;
      for (let i = 0; i < n; i++) {
        const c = ids[i]!;
        for (let j = 0; j < d; j++) {
          const diff = values[i * d + j]! - centres[c * d + j]!;
          inertia += diff * diff;
        }
      }
      if (best === undefined || inertia < best.inertia) best = { assignments: ids, centroids: centres, inertia, iterations: it };
    }
  } finally {
    if (owned) x.dispose();
  }
  return best!;
}
