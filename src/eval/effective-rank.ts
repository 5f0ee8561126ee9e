/**
 * A collapse signal that needs no labels: the effective rank of a feature matrix (Roy & Vetterli
 * 2007, "The effective rank: a measure of effective dimensionality"; used for self-supervised
 * features by RankMe, Garrido et al. 2023, arXiv:2210.02885): exp of the entropy of the
 * normalised singular values of the centred features. D well-spread dimensions give about D; a
 * representation that varies along one direction only gives about 1, whatever its scale.
 *
 * The singular values come from the eigenvalues of the D x D covariance (cyclic Jacobi, in
 * float64 on the host): exact enough for a diagnostic, and cheap for D up to a few hundred.
 */
import { assertFeatures, featureValues, type Features } from './features.js';

/** Eigenvalues of the symmetric `n x n` matrix `a` (row-major, overwritten) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(a: Float64Array, n: number, sweeps = 30): Float64Array {
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // columns p and q
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p and q
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]!);
}

/** exp(entropy of the normalised singular values) of the centred rows of `x` `[N, D]` (N >= 2); 0 for constant features. */
export async function effectiveRank(x: Features): Promise<number> {
  const [n, d] = assertFeatures(x, 'effectiveRank', 'x', 2);
  const values = await featureValues(x);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = values[i * d + j]! - mean[j]!;
    for (let p = 0; p < d; p++) {
      const rp = row[p]!;
      if (rp === 0) continue;
      for (let q = p; q < d; q++) cov[p * d + q] += rp * row[q]!;
    }
  }
  for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) cov[p * d + q] = cov[q * d + p]!;
  const sigma = Array.from(symmetricEigenvalues(cov, d), (l) => Math.sqrt(Math.max(0, l)));
  const total = sigma.reduce((a, v) => a + v, 0);
  if (!(total > 0)) return 0;
  let entropy = 0;
  for (const s of sigma) if (s > 0) entropy -= (s / total) * Math.log(s / total);
  return Math.exp(entropy);
}
