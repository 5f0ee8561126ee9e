/**
 * The top two principal directions of rows by power iteration with deflation, in plain JS
 * (D is small: the encoder's 128 values). Signs are fixed (largest component positive) so that
 * the live scatter does not flip between updates.
 */
export function pca2(values: Float32Array, dim: number): { x: number[]; y: number[] } {
  const n = values.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += values[i * dim + j]! / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = values[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b]! += row[a]! * row[b]!;
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a]!;
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v: Float64Array = new Float64Array(dim).map((_, j) => 1 + ((j * 7919) % 13) / 13);
    for (let it = 0; it < 100; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a]! += cov[a * dim + b]! * v[b]!;
      for (const p of comps) {
        let d = 0;
        for (let a = 0; a < dim; a++) d += w[a]! * p[a]!;
        for (let a = 0; a < dim; a++) w[a]! -= d * p[a]!;
      }
      const norm = Math.hypot(...w) || 1;
      v = w.map((x) => x / norm);
    }
    let big = 0;
    for (let a = 0; a < dim; a++) if (Math.abs(v[a]!) > Math.abs(v[big]!)) big = a;
    if (v[big]! < 0) v = v.map((x) => -x);
    comps.push(v);
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    for (let j = 0; j < dim; j++) {
      const c = values[i * dim + j]! - mean[j]!;
      px += c * comps[0]![j]!;
      py += c * comps[1]![j]!;
    }
    x.push(px);
    y.push(py);
  }
  return { x, y };
}
