/**
 * Optimizers with what self-supervised training needs and tf.train's lack: a learning rate the
 * schedule sets every step, weight decay that skips biases and normalisation parameters,
 * gradient clipping by global norm, LARS, and a state that can be saved and restored exactly.
 *
 * - `adam`: Adam (Kingma & Ba 2015) with decoupled weight decay (AdamW, Loshchilov & Hutter 2019).
 * - `sgd`: SGD with momentum (optionally Nesterov); weight decay as an L2 term in the gradient.
 * - `lars`: LARS (You et al. 2017, arXiv:1708.03888) as used by SimCLR: per-layer learning rate
 *   lr * eta * ||w|| / (||g|| + wd * ||w||), momentum, L2 weight decay; the trust ratio and the
 *   decay are skipped for biases and normalisation parameters (SimCLR, arXiv:2002.05709 §B.1).
 */
import * as tf from '../tf.js';
import { addMany } from '../ops/add-many.js';
import { ConfigError } from '../errors.js';
import { assertInRange, assertNonNegative, assertOneOf, assertPositive } from '../validate.js';

export type OptimizerName = 'adam' | 'sgd' | 'lars';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd', 'lars'];

export interface OptimizerOptions {
  /** Which update rule. @default 'adam' */
  name?: OptimizerName;
  /** Initial learning rate (a schedule overwrites `learningRate` each step). @default 1e-3 (Adam); 0.1 for sgd, 0.3 for lars (SimCLR: 0.3 x batch / 256) */
  learningRate?: number;
  /** Weight decay; applied only to parameters `decayFilter` accepts. @default 1e-6 (SimCLR, arXiv:2002.05709) */
  weightDecay?: number;
  /** Momentum of sgd and lars. @default 0.9 */
  momentum?: number;
  /** Nesterov momentum for sgd and lars. @default false */
  nesterov?: boolean;
  /** LARS trust coefficient eta. @default 0.001 (You et al. 2017; SimCLR) */
  eta?: number;
  /** Adam beta1. @default 0.9 */
  beta1?: number;
  /** Adam beta2. @default 0.999 */
  beta2?: number;
  /** Adam epsilon. @default 1e-8 */
  epsilon?: number;
  /** Rescale all gradients so that their global L2 norm is at most this; 0 disables. @default 0 */
  clipNorm?: number;
  /**
   * Which parameters get weight decay (and, for LARS, the trust ratio).
   * @default excludes rank <= 1 parameters (biases, BatchNorm gamma/beta) and names containing
   * bias, gamma, beta or norm (SimCLR's rule)
   */
  decayFilter?: (name: string, shape: readonly number[]) => boolean;
}

/** The default decay filter: only weight matrices and kernels decay. */
export function decays(name: string, shape: readonly number[]): boolean {
  if (shape.length <= 1) return false;
  return !/(^|[/_])(bias|gamma|beta)($|[/_:])|norm/i.test(name);
}

/** A saved optimizer state: the step count and every slot tensor by `<slot>/<variable name>`. */
export interface OptimizerState {
  name: OptimizerName;
  step: number;
  slots: Record<string, tf.Tensor>;
}

/** Result of one update. */
export interface UpdateInfo {
  /**
   * Global L2 norm of the gradients before clipping, as a scalar tensor the caller owns (read it
   * with `await gradNorm.data()`: the update itself reads nothing back).
   */
  gradNorm: tf.Scalar;
}

export interface ApplyOptions {
  /**
   * A boolean scalar: where it is false, every variable and slot keeps its value (a diverged
   * step changes nothing) without reading the condition back to the host.
   * @default none (always update)
   */
  when?: tf.Scalar;
}

const DEFAULT_LR: Record<OptimizerName, number> = { adam: 1e-3, sgd: 0.1, lars: 0.3 };

export class Optimizer {
  readonly name: OptimizerName;
  /** Current learning rate; the trainer's schedule sets it before each step. */
  learningRate: number;
  readonly weightDecay: number;
  readonly options: Required<Omit<OptimizerOptions, 'decayFilter' | 'learningRate' | 'name'>>;
  private readonly decayFilter: (name: string, shape: readonly number[]) => boolean;
  /** Number of updates applied so far. */
  step = 0;
  private readonly slots = new Map<string, tf.Variable>();

  constructor(options: OptimizerOptions = {}) {
    const name = options.name ?? 'adam';
    assertOneOf(name, OPTIMIZER_NAMES, 'optimizer', 'name');
    this.name = name;
    this.learningRate = options.learningRate ?? DEFAULT_LR[name];
    assertNonNegative(this.learningRate, 'optimizer', 'learningRate');
    this.weightDecay = options.weightDecay ?? 1e-6;
    assertNonNegative(this.weightDecay, 'optimizer', 'weightDecay');
    const o = {
      weightDecay: this.weightDecay,
      momentum: options.momentum ?? 0.9,
      nesterov: options.nesterov ?? false,
      eta: options.eta ?? 0.001,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-8,
      clipNorm: options.clipNorm ?? 0,
    };
    assertInRange(o.momentum, 0, 1, 'optimizer', 'momentum');
    assertPositive(o.eta, 'optimizer', 'eta');
    assertInRange(o.beta1, 0, 1, 'optimizer', 'beta1');
    assertInRange(o.beta2, 0, 1, 'optimizer', 'beta2');
    assertPositive(o.epsilon, 'optimizer', 'epsilon');
    assertNonNegative(o.clipNorm, 'optimizer', 'clipNorm');
    if (typeof o.nesterov !== 'boolean') throw new ConfigError('optimizer', 'nesterov', `must be a boolean, got ${String(o.nesterov)}`);
    this.options = o;
    this.decayFilter = options.decayFilter ?? decays;
  }

  private slot(kind: string, v: tf.Variable): tf.Variable {
    const key = `${kind}/${v.name}`;
    let s = this.slots.get(key);
    if (s === undefined) {
      const zeros = tf.zerosLike(v);
      s = tf.variable(zeros, false);
      zeros.dispose();
      this.slots.set(key, s);
    }
    return s;
  }

  /**
   * Applies one update to `vars` from `grads` (keyed by variable name, as `tf.variableGrads`
   * returns them). Variables without a gradient are left unchanged. Does not dispose `grads`.
   * Clipping and the `when` condition run on the device: nothing is read back synchronously.
   */
  apply(vars: readonly tf.Variable[], grads: Record<string, tf.Tensor>, { when }: ApplyOptions = {}): UpdateInfo {
    const pairs = vars.filter((v) => grads[v.name] !== undefined).map((v) => [v, grads[v.name]!] as const);
    if (pairs.length === 0) return { gradNorm: tf.scalar(0) };
    const gradNorm = tf.tidy(() => tf.sqrt(addMany(pairs.map(([, g]) => tf.sum(tf.square(g)))))) as tf.Scalar;
    const { clipNorm } = this.options;
    // clipNorm / norm where the norm is above clipNorm, 1 elsewhere
    const scale =
      clipNorm > 0
        ? tf.tidy(() => tf.where(tf.greater(gradNorm, clipNorm), tf.div(clipNorm, tf.add(gradNorm, 1e-12)), tf.scalar(1)))
        : undefined;
    this.step += 1;
    const whenF = when === undefined ? undefined : tf.cast(when, 'float32');
    for (const [v, g0] of pairs) {
      tf.tidy(() => {
        // `when` as a mask of v's shape, made once for v and its slots by a broadcasting comparison:
        // tf.where broadcasts a scalar bool condition with Tile, which the CPU-class backends run
        // element by element in JavaScript (a few ms per variable)
        const cond = whenF === undefined ? undefined : tf.less(tf.zerosLike(v), whenF);
        const assign = (t: tf.Variable, next: tf.Tensor): void => t.assign(cond === undefined ? next : tf.where(cond, next, t));
        const g = scale === undefined ? g0 : tf.mul(g0, scale);
        const decay = this.weightDecay > 0 && this.decayFilter(v.name, v.shape);
        if (this.name === 'adam') this.adam(v, g, decay, assign);
        else this.momentumStep(v, g, decay, assign);
      });
    }
    scale?.dispose();
    whenF?.dispose();
    return { gradNorm };
  }

  private adam(v: tf.Variable, g: tf.Tensor, decay: boolean, assign: (v: tf.Variable, next: tf.Tensor) => void): void {
    const { beta1, beta2, epsilon } = this.options;
    const m = this.slot('m', v);
    const s = this.slot('v', v);
    const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
    const s1 = tf.add(tf.mul(s, beta2), tf.mul(tf.square(g), 1 - beta2));
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    let upd = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(s1, c2)), epsilon));
    if (decay) upd = tf.add(upd, tf.mul(v, this.weightDecay)); // decoupled (AdamW)
    assign(v, tf.sub(v, tf.mul(upd, this.learningRate)));
    assign(m, m1);
    assign(s, s1);
  }

  private momentumStep(v: tf.Variable, g: tf.Tensor, decay: boolean, assign: (v: tf.Variable, next: tf.Tensor) => void): void {
    const { momentum, nesterov, eta } = this.options;
    let lr: tf.Scalar | number = this.learningRate;
    let grad = g;
    if (this.name === 'lars' && decay) {
      // trust ratio eta * ||w|| / (||g|| + wd * ||w||); 1 where either norm is 0
      const wNorm = tf.norm(v);
      const gNorm = tf.norm(g);
      const ratio = tf.div(tf.mul(wNorm, eta), tf.add(gNorm, tf.mul(wNorm, this.weightDecay)));
      const ok = tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0));
      lr = tf.mul(tf.where(ok, ratio, tf.onesLike(ratio)), this.learningRate) as tf.Scalar;
    }
    if (decay) grad = tf.add(grad, tf.mul(v, this.weightDecay));
    const buf = this.slot('momentum', v);
    const next = tf.add(tf.mul(buf, momentum), tf.mul(grad, lr)); // v_t = m v_{t-1} + lr * g
    const upd = nesterov ? tf.add(tf.mul(next, momentum), tf.mul(grad, lr)) : next;
    assign(v, tf.sub(v, upd));
    assign(buf, next);
  }

  /** The state to checkpoint; the tensors are copies the caller owns. */
  getState(): OptimizerState {
    const slots: Record<string, tf.Tensor> = {};
    for (const [k, s] of this.slots) slots[k] = tf.clone(s);
    return { name: this.name, step: this.step, slots };
  }

  /** Restores a state from `getState` (tensors are copied, not taken). */
  setState(state: OptimizerState): void {
    if (state.name !== this.name) {
      throw new ConfigError('Optimizer.setState', 'state', `is for optimizer '${state.name}', this one is '${this.name}'`);
    }
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
    for (const [k, t] of Object.entries(state.slots)) {
      this.slots.set(k, tf.variable(t, false)); // a variable copies its initial value's data reference
    }
    this.step = state.step;
  }

  /** Frees the slot variables. */
  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
  }
}

/** An optimizer from options (see `OptimizerOptions` for the defaults). */
export function optimizer(options: OptimizerOptions = {}): Optimizer {
  return new Optimizer(options);
}
