/**
 * Limited-memory BFGS for small smooth problems (the linear probe's few thousand weights):
 * Nocedal & Wright, "Numerical Optimization" (2nd ed. 2006), Algorithm 7.4 (two-loop recursion)
 * with a backtracking Armijo line search. Parameters live in a Float64Array; the objective is
 * async so that it can read tensors back without blocking a browser.
 */
import { assertInteger, assertPositive } from '../validate.js';

/** An objective: its value and gradient at `x` (the gradient has x's length). */
export type Objective = (x: Float64Array) => Promise<{ loss: number; grad: Float64Array }>;

export interface LbfgsOptions {
  /** Most iterations (one accepted step each). @default 100 */
  maxIterations?: number;
  /** Curvature pairs kept. @default 10 (Nocedal & Wright 2006, §7.2: 3-20 work well) */
  history?: number;
  /** Stop when max |gradient| <= this * max(1, |loss|). @default 1e-5 */
  gradientTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  loss: number;
  iterations: number;
  /** True when the gradient tolerance was met (false: budget spent or no further decrease). */
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimises `f` from `x0` (not modified). */
export async function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): Promise<LbfgsResult> {
  const { maxIterations = 100, history = 10, gradientTolerance = 1e-5 } = options;
  assertInteger(maxIterations, 'minimizeLbfgs', 'maxIterations', 0);
  assertInteger(history, 'minimizeLbfgs', 'history');
  assertPositive(gradientTolerance, 'minimizeLbfgs', 'gradientTolerance');
  const n = x0.length;
  let x: Float64Array = x0.slice();
  let { loss, grad }: { loss: number; grad: Float64Array } = await f(x);
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const alpha = new Float64Array(history);
  for (let iter = 0; iter < maxIterations; iter++) {
    if (maxAbs(grad) <= gradientTolerance * Math.max(1, Math.abs(loss))) return { x, loss, iterations: iter, converged: true };
    // Two-loop recursion: d = -H g.
    const d = Float64Array.from(grad, (g) => -g);
    for (let i = ss.length - 1; i >= 0; i--) {
      alpha[i] = rhos[i]! * dot(ss[i]!, d);
      const y = ys[i]!;
      for (let j = 0; j < n; j++) d[j]! -= alpha[i]! * y[j]!;
    }
    const gamma =
      ss.length > 0
        ? dot(ss[ss.length - 1]!, ys[ys.length - 1]!) / dot(ys[ys.length - 1]!, ys[ys.length - 1]!)
        : 1 / Math.sqrt(dot(grad, grad));
    for (let j = 0; j < n; j++) d[j]! *= gamma;
    for (let i = 0; i < ss.length; i++) {
      const beta = rhos[i]! * dot(ys[i]!, d);
      const s = ss[i]!;
      for (let j = 0; j < n; j++) d[j]! += (alpha[i]! - beta) * s[j]!;
    }
    let slope = dot(grad, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      ss.length = ys.length = rhos.length = 0;
      const scale = 1 / Math.sqrt(dot(grad, grad));
      for (let j = 0; j < n; j++) d[j] = -grad[j]! * scale;
      slope = dot(grad, d);
    }
    // Backtracking line search (Armijo, c1 = 1e-4).
    let step = 1;
    let accepted: { x: Float64Array; loss: number; grad: Float64Array } | undefined;
    for (let trial = 0; trial < 40; trial++) {
      const xNew = new Float64Array(n);
      for (let j = 0; j < n; j++) xNew[j] = x[j]! + step * d[j]!;
      const r = await f(xNew);
      if (Number.isFinite(r.loss) && r.loss <= loss + 1e-4 * step * slope) {
        accepted = { x: xNew, loss: r.loss, grad: r.grad };
        break;
      }
      step *= 0.5;
    }
    if (accepted === undefined) return { x, loss, iterations: iter, converged: false };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = accepted.x[j]! - x[j]!;
      y[j] = accepted.grad[j]! - grad[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (ss.length === history) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(y);
      rhos.push(1 / sy);
    }
    const decrease = loss - accepted.loss;
    x = accepted.x;
    loss = accepted.loss;
    grad = accepted.grad;
    if (decrease <= 1e-12 * Math.max(1, Math.abs(loss))) return { x, loss, iterations: iter + 1, converged: false };
  }
  return { x, loss, iterations: maxIterations, converged: false };
}
