/**
 * Naive float64 loop references of every loss, in plain JS numbers (no tensors): the tests'
 * ground truth and the function that finite differences are taken of. Matrices are arrays of rows.
 */
export type Mat = number[][];

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const norm = (a: number[]): number => Math.sqrt(dot(a, a));
const normalize = (a: number[]): number[] => {
  const n = Math.max(norm(a), 1e-12);
  return a.map((v) => v / n);
};
const distSq = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
};
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

export function ntXentRef(z1: Mat, z2: Mat, temperature = 0.5): number {
  const z = [...z1, ...z2].map(normalize);
  const n = z1.length;
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const pos = (i + n) % (2 * n);
    const others: number[] = [];
    for (let k = 0; k < 2 * n; k++) if (k !== i) others.push(dot(z[i]!, z[k]!) / temperature);
    total += logSumExp(others) - dot(z[i]!, z[pos]!) / temperature;
  }
  return total / (2 * n);
}

/** `negatives` is [K][D] (shared) or [N][K][D] (per query). */
export function infoNceRef(q: Mat, p: Mat, negatives: Mat | Mat[], temperature = 0.07, normalizeInputs = true): number {
  const f = normalizeInputs ? normalize : (a: number[]) => a;
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    const negs = (Array.isArray(negatives[0]![0]) ? (negatives as Mat[])[i]! : (negatives as Mat)).map(f);
    const qi = f(q[i]!);
    const logits = [dot(qi, f(p[i]!)), ...negs.map((nk) => dot(qi, nk))].map((v) => v / temperature);
    total += logSumExp(logits) - logits[0]!;
  }
  return total / q.length;
}

export function tripletRef(a: Mat, p: Mat, n: Mat, margin = 1, squared = true): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const dp = distSq(a[i]!, p[i]!);
    const dn = distSq(a[i]!, n[i]!);
    total += Math.max(0, squared ? dp - dn + margin : Math.sqrt(dp) - Math.sqrt(dn) + margin);
  }
  return total / a.length;
}

export function alignmentRef(x: Mat, y: Mat, alpha = 2): number {
  return x.reduce((s, xi, i) => s + Math.sqrt(distSq(xi, y[i]!)) ** alpha, 0) / x.length;
}

export function uniformityRef(x: Mat, t = 2): number {
  const terms: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) terms.push(-t * distSq(x[i]!, x[j]!));
  return logSumExp(terms) - Math.log(terms.length);
}

export function nceRef(dataScores: number[], noiseScores: Mat, dataLogNoise: number[], noiseLogNoise: Mat): number {
  let total = 0;
  for (let i = 0; i < dataScores.length; i++) {
    const k = noiseScores[i]!.length;
    total += softplus(-(dataScores[i]! - dataLogNoise[i]! - Math.log(k)));
    for (let j = 0; j < k; j++) total += softplus(noiseScores[i]![j]! - noiseLogNoise[i]![j]! - Math.log(k));
  }
  return total / dataScores.length;
}

/** Central finite-difference gradient of `f` w.r.t. every entry of `x` (float64). */
export function finiteDiff(f: (x: Mat) => number, x: Mat, h = 1e-6): Mat {
  return x.map((row, i) =>
    row.map((_, j) => {
      const plus = x.map((r) => r.slice());
      const minus = x.map((r) => r.slice());
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

/** Random [rows][cols] matrix of float32-representable standard normals from a seeded stream. */
export function randMat(rows: number, cols: number, next: () => number): Mat {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => Math.fround(Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next()))),
  );
}
