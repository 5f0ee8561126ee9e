/**
 * Contrastive Multiview Coding, CMC (Tian et al. 2019, https://arxiv.org/abs/1906.05849): the
 * views of one sample (the L and ab channels of Lab colour, a gradient map, ...) are positives,
 * views of other samples negatives; each view has its own encoder, so the model keeps what the
 * views share.
 *
 * One step: raw batch -> augmentation (crop, flip) ONCE, so the views stay aligned -> each view
 * -> its encoder f_i -> its head g_i -> L2-normalised z_i `[B, D]` -> a contrastive loss on every
 * edge of the graph (`core`: view 1 with each other view; `full`: every pair), in both directions,
 * summed. Objectives:
 * - `'softmax'`: in-batch InfoNCE; the anchor z_i[b] has the positive z_j[b] and the other B - 1
 *   rows of z_j as negatives (`crossViewInfoNceLoss`).
 * - `'nce'`: the reference's NCE with one memory bank per view (HobbitLong/CMC, NCEAverage): the
 *   anchor z_i[b] is scored against view j's bank: its positive is bank_j's row of the same
 *   instance, its noise K rows drawn uniformly (the same K for every direction, as the
 *   reference), Z of each direction estimated on the first batch; banks updated after the step
 *   with momentum 0.5. NPID's NCE pieces (`npidNceLoss`) do the scoring.
 *
 * The representation (`encoder`, `embed`) is the concatenation of the views' encoder outputs:
 * one `tf.LayersModel` from the raw sample (views included, as `ViewLayer`s), savable when every
 * view is a built-in one.
 */
import * as tf from '../tf.js';
import { addMany } from '../ops/add-many.js';
import type { Rng } from '../random.js';
import type { Augmentation } from '../augment/augmentation.js';
import { MemoryBank } from '../memory/memory-bank.js';
import { makeTarget, lossesFor, type LossName } from '../losses/targets.js';
import type { TargetFunction } from '../losses/target.js';
import { npidNceLoss, estimateNceNormalizerTensor } from '../losses/npid-nce.js';
import { l2Normalize } from '../ops/l2-normalize.js';
import { Optimizer } from '../optim/optimizers.js';
import { ConfigError, ShapeError } from '../errors.js';
import { assertInRange, assertInteger, assertOneOf, assertPositive, describe, formatShape } from '../validate.js';
import { applyView, assertFiniteViews, toView, viewSampleShape, type View, type ViewFunction } from '../cmc-views/view.js';
import { readLabValues, useLabValues } from '../cmc-views/lab-values.js';
import { ViewLayer } from '../cmc-views/view-layer.js';
import {
  collectState,
  minimize,
  readMinimize,
  readScalars,
  restoreState,
  trainableVariables,
  type Method,
  type MethodState,
  type MinimizeResult,
  type StepMetrics,
  type TrainBatch,
} from './method.js';

export type CmcGraph = 'core' | 'full';
export const CMC_GRAPHS: readonly CmcGraph[] = ['core', 'full'];
export type CmcObjective = 'softmax' | 'nce';
export const CMC_OBJECTIVES: readonly CmcObjective[] = ['softmax', 'nce'];

export interface CmcOptions {
  /** The views, at least 2; view 1 is the core view of the `core` graph. */
  views: (View | ViewFunction)[];
  /** One encoder per view: view i's output `[B, ...]` -> `[B, H_i]`. Owned by the method. Names must differ (they become layers of `encoder`). */
  encoders: tf.LayersModel[];
  /** One head per view: `[B, H_i]` -> `[B, D]`, the same D for all (the paper: 128). Owned. */
  heads: tf.LayersModel[];
  /** Shape of one raw sample (`[32, 32, 3]`): the views are checked on it and `encoder` reads it. */
  inputShape: number[];
  /** Applied once to the raw batch before it is split into views. @default none. The reference crops (area 0.2-1) and flips: `cmcAugmentation`. */
  augmentation?: Augmentation;
  /** `'core'` (view 1 against each other view) or `'full'` (every pair). @default 'core' (for 2 views they are the same) */
  graph?: CmcGraph;
  /** `'softmax'` (in-batch) or `'nce'` (memory banks). @default 'softmax' (the reference's author advises it for small datasets: HobbitLong/CMC issues #12, #50) */
  objective?: CmcObjective;
  /**
   * The target of each edge with the `'softmax'` (in-batch) objective: any batch-negative loss of
   * `src/losses/targets.ts`, with view i's rows as anchors and view j's as their positives.
   * @default 'infonce' (crossViewInfoNceLoss: both directions, summed; CMC's softmax objective)
   */
  loss?: LossName;
  /** Temperature τ. @default 0.07 (HobbitLong/CMC, train_CMC.py `nce_t`) */
  temperature?: number;
  /** K, noise rows per step of the NCE objective. @default 4096 (HobbitLong/CMC, train_CMC.py `nce_k`; capped at the bank size) */
  negatives?: number;
  /** Weight of the old row in a bank update. @default 0.5 (HobbitLong/CMC, `nce_m`) */
  momentum?: number;
  /** Rows of each memory bank (the training set's size): required for `'nce'`. */
  bankSize?: number;
  /** Seed of the banks' initial rows. @default 0 */
  seed?: number;
  /** The optimizer. Owned by the method. @default Adam, lr 1e-3 (`new Optimizer()`) */
  optimizer?: Optimizer;
}

/** The graph's edges as pairs of view indices: core `(0, j)`, full every `(i, j)` with i < j. */
export function cmcEdges(views: number, graph: CmcGraph): [number, number][] {
  const edges: [number, number][] = [];
  for (let i = 0; i < (graph === 'core' ? 1 : views); i++) for (let j = i + 1; j < views; j++) edges.push([i, j]);
  return edges;
}

export class Cmc implements Method {
  readonly name = 'cmc';
  /** The representation: raw sample -> concatenation of the views' encoder outputs. */
  readonly encoder: tf.LayersModel;
  readonly views: readonly View[];
  readonly encoders: readonly tf.LayersModel[];
  readonly heads: readonly tf.LayersModel[];
  readonly optimizer: Optimizer;
  readonly graph: CmcGraph;
  readonly objective: CmcObjective;
  readonly temperature: number;
  readonly negatives: number;
  /** One bank per view (NCE only). */
  readonly banks: readonly MemoryBank[];
  /** Z per direction `i>j` (NCE), estimated on the first batch. */
  readonly normalizers = new Map<string, number>();
  private readonly augmentation: Augmentation | undefined;
  private readonly edges: [number, number][];
  readonly loss: LossName;
  private readonly target: TargetFunction;

  constructor(
    o: Required<Pick<CmcOptions, 'graph' | 'objective' | 'temperature' | 'negatives'>> & CmcOptions,
    views: View[],
    encoder: tf.LayersModel,
    banks: MemoryBank[],
  ) {
    this.views = views;
    this.encoders = [...o.encoders];
    this.heads = [...o.heads];
    this.encoder = encoder;
    this.graph = o.graph;
    this.objective = o.objective;
    this.temperature = o.temperature;
    this.negatives = o.negatives;
    this.banks = banks;
    this.augmentation = o.augmentation;
    this.optimizer = o.optimizer ?? new Optimizer();
    this.edges = cmcEdges(views.length, o.graph);
    this.loss = o.loss ?? 'infonce';
    this.target = makeTarget(this.objective === 'nce' ? 'infonce' : this.loss, 'batch', { temperature: o.temperature });
  }

  get config(): Readonly<Record<string, unknown>> {
    return {
      method: 'cmc',
      views: this.views.map((v) => v.name),
      graph: this.graph,
      objective: this.objective,
      temperature: this.temperature,
      ...(this.loss !== 'infonce' ? { loss: this.loss } : {}),
      ...(this.objective === 'nce'
        ? {
            negatives: this.negatives,
            momentum: this.banks[0]!.momentum,
            bankSize: this.banks[0]!.size,
            normalizers: Object.fromEntries(this.normalizers),
          }
        : {}),
    };
  }

  private models(): Record<string, tf.LayersModel> {
    const out: Record<string, tf.LayersModel> = {};
    this.encoders.forEach((e, i) => (out[`encoder${i + 1}`] = e));
    this.heads.forEach((h, i) => (out[`head${i + 1}`] = h));
    return out;
  }

  /** The views of a batch `x` (already augmented), checked. The caller disposes them. */
  viewsOf(x: tf.Tensor, fn = 'cmc', { checkValues = true }: { checkValues?: boolean } = {}): tf.Tensor[] {
    const out: tf.Tensor[] = [];
    try {
      for (const v of this.views) out.push(applyView(v, x, fn, { checkValues }));
    } catch (err) {
      tf.dispose(out);
      throw err;
    }
    return out;
  }

  /** The L2-normalised embeddings z_i `[B, D]` of each view (inference mode). The caller disposes them. */
  embeddings(x: tf.Tensor): tf.Tensor2D[] {
    const inputs = this.viewsOf(x, 'cmc.embeddings');
    try {
      return inputs.map((v, i) => tf.tidy(() => this.project(i, v, false)));
    } finally {
      tf.dispose(inputs);
    }
  }

  private project(i: number, input: tf.Tensor, training: boolean): tf.Tensor2D {
    const h = this.encoders[i]!.apply(input, { training }) as tf.Tensor2D; // [B, H_i]
    return l2Normalize(this.heads[i]!.apply(h, { training }) as tf.Tensor2D); // [B, D]
  }

  trainStep(batch: TrainBatch, rng: Rng): Promise<StepMetrics> {
    const fn = 'cmc.trainStep';
    const { x, indices } = batch;
    if (!(x instanceof tf.Tensor) || x.rank < 2 || x.shape[0]! < 2)
      throw new ConfigError(fn, 'batch.x', `must be a batch tensor with at least 2 samples, got ${describe(x)}`);
    const n = x.shape[0]!;
    const nce = this.objective === 'nce';
    if (nce && (!(indices instanceof Int32Array) || indices.length !== n)) {
      throw new ShapeError(
        fn,
        'batch.indices',
        `must be an Int32Array with one dataset index per sample (${n}) for the NCE objective's banks, got ${describe(indices)}`,
      );
    }
    const xa = this.augmentation === undefined ? x : tf.tidy(() => this.augmentation!(x, rng)); // once: the views stay aligned
    // the Lab views convert on the host on CPU backends: their pixels are read asynchronously first
    const labView = this.views.find((v) => v.spec?.name === 'lab-l' || v.spec?.name === 'lab-ab');
    let lab: Promise<Float32Array> | undefined;
    try {
      lab = labView === undefined ? undefined : readLabValues(xa, labView.name);
    } catch (err) {
      if (xa !== x) xa.dispose();
      throw err;
    }
    if (lab === undefined) return this.step(this.viewsOfOwned(xa, x), indices, x.shape, rng);
    const owned = xa === x ? tf.clone(x) : xa; // the caller may dispose x once this returns
    return lab.then(
      (values) => {
        useLabValues(owned, values); // for the views made now, in this job
        return this.step(this.viewsOfOwned(owned, undefined), indices, x.shape, rng);
      },
      (err: unknown) => {
        owned.dispose();
        throw err;
      },
    );
  }

  /** The views of `xa` for a step (values checked later, asynchronously); disposes `xa` unless it is `x`. */
  private viewsOfOwned(xa: tf.Tensor, x: tf.Tensor | undefined): tf.Tensor[] {
    try {
      return this.viewsOf(xa, 'cmc.trainStep', { checkValues: false }); // their values are checked in `step`, asynchronously
    } finally {
      if (xa !== x) xa.dispose();
    }
  }

  /** The step on checked views (finite values, read asynchronously before any update); disposes `inputs`. */
  private async step(inputs: tf.Tensor[], indices: Int32Array, inputShape: readonly number[], rng: Rng): Promise<StepMetrics> {
    const fn = 'cmc.trainStep';
    const nce = this.objective === 'nce';
    try {
      await assertFiniteViews(this.views, inputs, inputShape, fn);
    } catch (err) {
      tf.dispose(inputs);
      throw err;
    }
    // NCE: bank rows BEFORE this step's update; the same K noise indices for every bank (as the reference)
    const positives = nce ? this.banks.map((b) => b.get(indices)) : []; // [B, D] per view
    const noise = nce ? this.banks[0]!.sample(this.negatives, { rng }) : undefined;
    const noiseT = noise === undefined ? [] : this.banks.map((b) => b.getTransposed(noise)); // [D, K] per view
    const vars = trainableVariables(...this.encoders, ...this.heads);
    let zs: tf.Tensor2D[] = [];
    const estimates = new Map<string, tf.Scalar>(); // Z of each direction's first step, read back with the loss
    let result: MinimizeResult;
    try {
      result = minimize(this.optimizer, vars, () => {
        const z = inputs.map((v, i) => this.project(i, v, true)); // [B, D] per view
        zs = z.map((t) => tf.keep(t));
        const terms: tf.Scalar[] = [];
        for (const [i, j] of this.edges) {
          if (!nce) terms.push(this.target({ views: [z[i]!, z[j]!], rng }));
          else
            terms.push(
              this.nceDirection(z[i]!, i, j, positives, noiseT, estimates),
              this.nceDirection(z[j]!, j, i, positives, noiseT, estimates),
            );
        }
        return addMany(terms);
      });
    } catch (err) {
      tf.dispose([...zs, ...estimates.values()]);
      throw err;
    } finally {
      tf.dispose([...inputs, ...positives, ...noiseT]);
    }
    try {
      const keys = [...estimates.keys()];
      const [rows, zValues, { loss, gradNorm, applied }] = await Promise.all([
        Promise.all(nce ? zs.map((t) => t.data() as Promise<Float32Array>) : []),
        readScalars([...estimates.values()]),
        readMinimize(result, this.optimizer),
      ]);
      keys.forEach((k, i) => {
        if (!this.normalizers.has(k)) this.normalizers.set(k, zValues[i]!);
      });
      if (applied && nce) this.banks.forEach((b, i) => b.update(indices, rows[i]!)); // after the loss: it used the old rows
      return { loss, gradNorm };
    } finally {
      tf.dispose(zs);
    }
  }

  /** NCE of anchors z (view i) against view j's bank; Z of the direction estimated on first use (into `estimates`, a kept tensor). */
  private nceDirection(
    z: tf.Tensor2D,
    i: number,
    j: number,
    positives: tf.Tensor2D[],
    noiseT: tf.Tensor2D[],
    estimates: Map<string, tf.Scalar>,
  ): tf.Scalar {
    const key = `${i + 1}>${j + 1}`;
    const bankSize = this.banks[j]!.size;
    const t = this.temperature;
    let normalizer: number | tf.Scalar | undefined = this.normalizers.get(key) ?? estimates.get(key);
    if (normalizer === undefined) {
      normalizer = tf.keep(estimateNceNormalizerTensor(z, positives[j]!, noiseT[j]!, { temperature: t, bankSize }));
      estimates.set(key, normalizer);
    }
    return npidNceLoss(z, positives[j]!, noiseT[j]!, { temperature: t, normalizer, bankSize });
  }

  embed(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.encoder.apply(x, { training: false }) as tf.Tensor2D);
  }

  getState(): MethodState {
    const extra: Record<string, tf.Tensor> = {};
    this.banks.forEach((b, i) => (extra[`bank${i + 1}`] = tf.tensor2d(b.data.slice(), [b.size, b.dim])));
    const state = collectState(this.models(), this.optimizer, extra);
    tf.dispose(Object.values(extra));
    state.meta.cmc = { normalizers: Object.fromEntries(this.normalizers) };
    return state;
  }

  setState(state: MethodState): void {
    const extra = restoreState(state, this.models(), this.optimizer);
    this.banks.forEach((b, i) => {
      const t = extra[`bank${i + 1}`];
      if (t === undefined || t.shape[0] !== b.size || t.shape[1] !== b.dim) {
        throw new ConfigError(
          'cmc.setState',
          'state',
          `must hold bank ${i + 1} as a [${b.size}, ${b.dim}] tensor extra/bank${i + 1}, got ${describe(t)}`,
        );
      }
      b.data.set(t.dataSync());
    });
    const meta = state.meta.cmc as { normalizers?: Record<string, number> } | undefined;
    this.normalizers.clear();
    for (const [k, v] of Object.entries(meta?.normalizers ?? {})) this.normalizers.set(k, v);
  }

  dispose(): void {
    this.encoder.dispose(); // the combined model: its view layers and (through them) shared encoders
    for (const m of [...this.encoders, ...this.heads]) {
      try {
        m.dispose();
      } catch {
        // already disposed as part of `encoder`
      }
    }
    for (const b of this.banks) b.dispose();
    this.optimizer.dispose();
  }
}

/** Output shape of a model with one input, without its batch axis. */
function modelShape(m: tf.LayersModel, which: 'input' | 'output'): (number | null)[] {
  const t = which === 'input' ? m.inputs : m.outputs;
  return t[0]!.shape.slice(1);
}

/**
 * CMC from its views, one encoder and one head per view. Checks, without training: at least 2
 * views, each view on a batch of zero samples of `inputShape` (a typed error names the view: a grey image
 * for the Lab views, a wrong batch size, non-finite values), each encoder reads its view's shape,
 * heads give the same width.
 */
export function cmc(options: CmcOptions): Cmc {
  const fn = 'cmc';
  if (options === null || typeof options !== 'object') throw new ConfigError(fn, 'options', `must be an object, got ${describe(options)}`);
  const {
    views,
    encoders,
    heads,
    inputShape,
    augmentation,
    graph = 'core',
    objective = 'softmax',
    temperature = 0.07,
    negatives = 4096,
    momentum = 0.5,
    bankSize,
    seed = 0,
  } = options;
  if (!Array.isArray(views) || views.length < 2) {
    throw new ConfigError(
      fn,
      'views',
      `must be an array of at least 2 views (CMC contrasts views with each other), got ${Array.isArray(views) ? `${views.length} view${views.length === 1 ? '' : 's'}` : describe(views)}`,
    );
  }
  const vs = views.map((v, i) => toView(v, i, fn));
  const names = vs.map((v) => v.name);
  const twice = names.find((nm, i) => names.indexOf(nm) !== i);
  if (twice !== undefined) throw new ConfigError(fn, 'views', `must have distinct names, got '${twice}' twice`);
  for (const [arg, list] of [
    ['encoders', encoders],
    ['heads', heads],
  ] as const) {
    if (!Array.isArray(list) || list.length !== vs.length)
      throw new ConfigError(
        fn,
        arg,
        `must hold one model per view (${vs.length}), got ${Array.isArray(list) ? list.length : describe(list)}`,
      );
    list.forEach((m, i) => {
      if (!(m instanceof tf.LayersModel))
        throw new ConfigError(fn, `${arg}[${i}]`, `must be a tf.LayersModel (view '${vs[i]!.name}'), got ${describe(m)}`);
    });
  }
  if (!Array.isArray(inputShape) || inputShape.length === 0)
    throw new ConfigError(fn, 'inputShape', `must be the shape of one sample ([H, W, C]), got ${describe(inputShape)}`);
  inputShape.forEach((d, i) => assertInteger(d, fn, `inputShape[${i}]`));
  if (augmentation !== undefined && typeof augmentation !== 'function')
    throw new ConfigError(fn, 'augmentation', `must be a function (x, rng) => tensor, got ${describe(augmentation)}`);
  assertOneOf(graph, CMC_GRAPHS, fn, 'graph');
  assertOneOf(objective, CMC_OBJECTIVES, fn, 'objective');
  if (options.loss !== undefined) {
    assertOneOf(options.loss, lossesFor('batch'), fn, 'loss');
    if (objective === 'nce' && options.loss !== 'infonce')
      throw new ConfigError(fn, 'loss', `must be 'infonce' (or absent) with objective 'nce' (the banks' NCE), got '${options.loss}'`);
  }
  assertPositive(temperature, fn, 'temperature');
  assertInRange(momentum, 0, 1, fn, 'momentum');
  const modelNames = [...encoders, ...heads].map((m) => m.name);
  const dup = modelNames.find((nm, i) => modelNames.indexOf(nm) !== i);
  if (dup !== undefined)
    throw new ConfigError(
      fn,
      'encoders',
      `and heads must have distinct model names (they become layers of one encoder), got '${dup}' twice`,
    );

  const viewShapes = vs.map((v) => viewSampleShape(v, inputShape, fn));
  let dim: number | undefined;
  vs.forEach((v, i) => {
    const want = modelShape(encoders[i]!, 'input');
    const got = viewShapes[i]!;
    if (want.length !== got.length || want.some((d, k) => d !== null && d !== got[k])) {
      throw new ShapeError(
        fn,
        `encoders[${i}]`,
        `must read view '${v.name}', whose samples are ${formatShape(got)}, got an encoder reading [${want.map((d) => d ?? 'any')}]`,
      );
    }
    const h = modelShape(encoders[i]!, 'output');
    const hin = modelShape(heads[i]!, 'input');
    if (h.length !== 1 || hin.length !== 1 || (h[0] !== null && hin[0] !== null && h[0] !== hin[0])) {
      throw new ShapeError(
        fn,
        `heads[${i}]`,
        `must read encoder ${i + 1}'s output [N, ${h.join(', ')}] (view '${v.name}'), got a head reading [N, ${hin.join(', ')}]`,
      );
    }
    const out = modelShape(heads[i]!, 'output');
    if (out.length !== 1 || out[0] === null) throw new ShapeError(fn, `heads[${i}]`, `must output [N, D], got [N, ${out.join(', ')}]`);
    if (dim !== undefined && out[0] !== dim)
      throw new ShapeError(
        fn,
        `heads[${i}]`,
        `must output the same width as heads[0] (${dim}) so views can be compared, got ${out[0]} (view '${v.name}')`,
      );
    dim = out[0]!;
  });

  const banks: MemoryBank[] = [];
  if (objective === 'nce') {
    assertInteger(bankSize, fn, 'bankSize');
    assertInteger(negatives, fn, 'negatives');
    if (negatives > bankSize) throw new ConfigError(fn, 'negatives', `must be <= bankSize ${bankSize}, got ${negatives}`);
    vs.forEach((_, i) => banks.push(new MemoryBank({ size: bankSize, dim: dim!, momentum, seed: seed + i })));
  }

  const input = tf.input({ shape: inputShape, name: 'cmc_input' });
  const features = vs.map((v, i) => {
    const layer = new ViewLayer({ name: `cmc_view${i + 1}`, view: v, outputSampleShape: viewShapes[i]! });
    return encoders[i]!.apply(layer.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor; // [N, H_i]
  });
  const concat = tf.layers.concatenate({ axis: -1, name: 'cmc_concat' }).apply(features) as tf.SymbolicTensor; // [N, Σ H_i]
  const encoder = tf.model({ inputs: input, outputs: concat, name: 'cmc_encoder' });
  return new Cmc({ ...options, graph, objective, temperature, negatives }, vs, encoder, banks);
}
