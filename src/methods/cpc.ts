/**
 * Contrastive Predictive Coding (van den Oord et al. 2018, https://arxiv.org/abs/1807.03748):
 * raw sequence -> g_enc (strided 1-D convolutions) -> latents z_t -> g_ar (GRU) -> contexts c_t;
 * one linear map W_k per offset k = 1..K predicts z_{t+k} from c_t with the bilinear score
 * f_k = z_{t+k}^T W_k c_t, trained with InfoNCE against negatives (§2.3). The representation used
 * downstream is c pooled over time (the last step or the mean), `encoder` below.
 *
 * Choices (the paper leaves them open or uses a GPU budget):
 * - the scores are unnormalised dot products, temperature 1 (exactly the paper's exp(z^T W_k c)):
 *   per offset k, the queries' scores against every candidate are two batched matrix products
 *   ([S, B, D] x [S, D, B] for the other sequences, [B, S, D] x [B, D, T'] for the other times),
 *   and the loss is the cross-entropy at the positive's column;
 * - per step, `timeSteps` positions t are drawn (shared by the batch, so that "the other sequences'
 *   latents at the same offset" are the batch negatives), from t in [0, T' - 1 - K] so that every
 *   k = 1..K has a target; the loss is the mean over k of the InfoNCE over the B x timeSteps queries;
 * - the training input is a random window of `window` steps of each sequence (crops of the batch).
 */
import * as tf from '../tf.js';
import type { Rng } from '../random.js';
import { randomWindow } from '../augment/random-window.js';
import { batchedScores } from '../ops/batched-scores.js';
import { Optimizer } from '../optim/optimizers.js';
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { assertInteger, assertOneOf, describe } from '../validate.js';
import { type Conv1dGeometry, inputLengthFor, latentLength, receptiveField } from '../models/conv1d-encoder.js';
import { sequencePool, type SequencePooling } from '../models/gru-context.js';
import {
  collectState,
  minimize,
  readMinimize,
  restoreState,
  trainableVariables,
  type Method,
  type MethodState,
  type StepMetrics,
  type TrainBatch,
} from './method.js';

/** Where the negatives of a query (sequence b, position t, offset k) come from. */
export type CpcNegatives = 'batch' | 'time' | 'both';

export interface CpcOptions {
  /** g_enc: `[B, T, C]` -> latents `[B, T', D]` (e.g. `conv1dEncoder`). Owned by the method. */
  encoder: tf.LayersModel;
  /** The strides and kernel sizes of `encoder` (its receptive field fixes the shortest usable input). */
  geometry: Conv1dGeometry;
  /** g_ar: `[B, T', D]` -> contexts `[B, T', U]` (e.g. `gruContext`). Owned by the method. */
  context: tf.LayersModel;
  /** K, the number of future offsets predicted. @default 12 (the paper's audio setting; use fewer for short series) */
  predictionSteps?: number;
  /**
   * Negatives of a query at (b, t, k): `'batch'` the latents z_{t+k} of the other B - 1 sequences,
   * `'time'` the other latents z_{t'} (t' != t + k) of the same sequence, `'both'` the two sets.
   * @default 'batch' (the paper's speech experiments sample negatives from other sequences too)
   */
  negatives?: CpcNegatives;
  /** Positions t drawn per step (shared by the batch) to bound the cost. @default 8 */
  timeSteps?: number;
  /** Training window length in input steps (random crop of each sequence); undefined: the whole input. */
  window?: number;
  /** Representation for downstream use: c at the last step or the mean of c over time. @default 'mean' */
  pooling?: SequencePooling;
  /** Seed of the W_k initialiser. @default 0 */
  seed?: number;
  /** The optimizer. Owned by the method. @default Adam, lr 1e-3 (`new Optimizer()`; the paper uses Adam 2e-4) */
  optimizer?: Optimizer;
}

const FN = 'cpc';

/** Throws a DataError naming the sample (by dataset index) and the step of the first non-finite value. */
export function assertFiniteSequences(
  values: ArrayLike<number>,
  shape: readonly number[],
  indices: ArrayLike<number> | undefined,
  fn: string,
  arg: string,
): void {
  const [b, t, c] = shape as [number, number, number];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      const row = Math.floor(i / (t * c));
      const step = Math.floor((i % (t * c)) / c);
      const sample = indices !== undefined && row < indices.length ? indices[row]! : row;
      throw new DataError(
        fn,
        arg,
        `sample ${sample} has a non-finite value (${values[i]}) at time step ${step} of ${t}; every value of a series must be finite (of ${b} samples)`,
      );
    }
  }
}

class Cpc implements Method {
  readonly name = 'cpc';
  readonly config: Readonly<Record<string, unknown>>;
  /** x `[B, T, C]` -> pooled context `[B, U]`: the representation saved and evaluated. */
  readonly encoder: tf.LayersModel;
  readonly latentEncoder: tf.LayersModel;
  readonly context: tf.LayersModel;
  /** c `[N, U]` -> the K predictions W_k c, `[N, K * D]`. */
  readonly predictor: tf.LayersModel;
  readonly optimizer: Optimizer;
  readonly geometry: Conv1dGeometry;
  readonly predictionSteps: number;
  readonly negatives: CpcNegatives;
  readonly timeSteps: number;
  readonly window: number | undefined;
  readonly pooling: SequencePooling;
  private readonly latentDim: number;
  private readonly crop: ReturnType<typeof randomWindow> | undefined;

  constructor(
    o: Required<Pick<CpcOptions, 'encoder' | 'geometry' | 'context' | 'predictionSteps' | 'negatives' | 'timeSteps' | 'pooling' | 'seed'>> &
      Pick<CpcOptions, 'window' | 'optimizer'>,
  ) {
    this.latentEncoder = o.encoder;
    this.context = o.context;
    this.geometry = { strides: [...o.geometry.strides], kernelSizes: [...o.geometry.kernelSizes] };
    this.predictionSteps = o.predictionSteps;
    this.negatives = o.negatives;
    this.timeSteps = o.timeSteps;
    this.window = o.window;
    this.pooling = o.pooling;
    this.optimizer = o.optimizer ?? new Optimizer();
    this.latentDim = o.encoder.outputs[0]!.shape[2] as number;
    const units = o.context.outputs[0]!.shape[2] as number;
    const channels = o.encoder.inputs[0]!.shape[2] as number;
    const input = tf.input({ shape: [null, channels], name: 'cpc_input' });
    const c = o.context.apply(o.encoder.apply(input)) as tf.SymbolicTensor; // [B, T', U]
    const pooled = sequencePool({ mode: o.pooling, name: `cpc_pool_${o.pooling}` }).apply(c) as tf.SymbolicTensor; // [B, U]
    this.encoder = tf.model({ inputs: input, outputs: pooled, name: 'cpc_encoder' });
    this.predictor = tf.sequential({
      name: 'cpc_predictor',
      layers: [
        tf.layers.dense({
          inputShape: [units],
          units: this.predictionSteps * this.latentDim,
          useBias: false,
          kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed }),
          name: 'cpc_w',
        }),
      ],
    });
    this.crop = o.window !== undefined ? randomWindow({ length: o.window }) : undefined;
    this.config = {
      method: 'cpc',
      predictionSteps: o.predictionSteps,
      negatives: o.negatives,
      timeSteps: o.timeSteps,
      window: o.window ?? null,
      pooling: o.pooling,
      geometry: this.geometry,
      latentDim: this.latentDim,
      contextDim: units,
    };
  }

  /** Input steps a training sequence needs: the receptive field plus K + 1 latents' strides. */
  get minLength(): number {
    return inputLengthFor(this.geometry, this.predictionSteps + 1);
  }

  private checkBatch(x: tf.Tensor, indices: Int32Array | undefined, fn: string): number {
    if (!(x instanceof tf.Tensor) || x.rank !== 3 || x.shape[0]! < 2) {
      throw new ShapeError(
        fn,
        'batch.x',
        `must be a [B, T, C] tensor of sequences with B >= 2, got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : describe(x)}`,
      );
    }
    const channels = this.latentEncoder.inputs[0]!.shape[2] as number;
    if (x.shape[2] !== channels)
      throw new ShapeError(fn, 'batch.x', `must have ${channels} channel(s) per step, got shape [${x.shape.join(', ')}]`);
    const t = x.shape[1]!;
    const need = Math.max(this.minLength, this.window ?? 0);
    if (t < need) {
      const first = indices !== undefined && indices.length > 0 ? indices[0]! : 0;
      const why =
        this.window !== undefined && this.window >= this.minLength
          ? `the training window of ${this.window} steps`
          : `receptive field ${receptiveField(this.geometry).receptiveField} + K = ${this.predictionSteps} strides of ${receptiveField(this.geometry).totalStride}`;
      throw new ShapeError(
        fn,
        'batch.x',
        `sample ${first} (and every sample of this batch) must have at least ${need} time steps (${why}), got ${t}`,
      );
    }
    return t;
  }

  trainStep(batch: TrainBatch, rng: Rng): Promise<StepMetrics> {
    this.checkBatch(batch.x, batch.indices, 'cpc.trainStep');
    return this.step(batch, rng);
  }

  /** `trainStep` after the shape checks: the values are checked (read asynchronously) before any update. */
  private async step(batch: TrainBatch, rng: Rng): Promise<StepMetrics> {
    const fn = 'cpc.trainStep';
    const { x } = batch;
    assertFiniteSequences(await x.data(), x.shape, batch.indices, fn, 'batch.x');
    const n = x.shape[0]!;
    const k = this.predictionSteps;
    const d = this.latentDim;
    const input = this.crop !== undefined ? this.crop(x, rng) : x; // [B, W, C]
    const tLat = latentLength(this.geometry, input.shape[1]!); // T'
    // positions t with every k = 1..K in range, `timeSteps` of them without replacement (sorted)
    const span = tLat - k;
    const pool = Array.from({ length: span }, (_, i) => i);
    for (let i = 0; i < Math.min(this.timeSteps, span); i++) {
      const j = i + rng.int(span - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const ts = pool.slice(0, Math.min(this.timeSteps, span)).sort((a, b) => a - b);
    const s = ts.length;
    const useBatch = this.negatives !== 'time';
    const useTime = this.negatives !== 'batch';
    // Every query of every offset in one tensor: row r = (k - 1) * S + i holds the B queries
    // W_k c_{t_i} and their scores [K*S, B, M]: the batch block (column b' = the sequence b' at
    // t_i + k: the positive on the diagonal, the other B - 1 sequences' latents the negatives),
    // then the time block (column t' = the same sequence's z_{t'}); with both, the time block's
    // copy of the positive is masked out. Positions are picked by products with one-hot
    // selection matrices (no gather: its gradient kernel is missing on wasm).
    const rows = k * s;
    const m = (useBatch ? n : 0) + (useTime ? tLat : 0);
    const selC = new Float32Array(s * tLat); // [S, T']
    const selZ = new Float32Array(rows * tLat); // [K*S, T']
    ts.forEach((t, i) => {
      selC[i * tLat + t] = 1;
      for (let j = 1; j <= k; j++) selZ[((j - 1) * s + i) * tLat + t + j] = 1;
    });
    // the positive's column: batch (and both) at b, the same for every row: [1, B, M]; time at
    // B? + t_i + k, the same for every b: [K*S, 1, M]
    const onehot = new Float32Array(useBatch ? n * m : rows * m);
    const mask = useBatch && useTime ? new Float32Array(rows * m) : undefined; // [K*S, 1, M]: -1e9 on the time block's positive
    if (useBatch) for (let b = 0; b < n; b++) onehot[b * m + b] = 1;
    for (let j = 1; j <= k; j++) {
      ts.forEach((t, i) => {
        const col = (useBatch ? n : 0) + t + j;
        if (!useTime) return;
        if (mask !== undefined) mask[((j - 1) * s + i) * m + col] = -1e9;
        else onehot[((j - 1) * s + i) * m + col] = 1;
      });
    }
    const vars = trainableVariables(this.latentEncoder, this.context, this.predictor);
    let correct: tf.Tensor | undefined;
    const result = minimize(this.optimizer, vars, () => {
      const z = this.latentEncoder.apply(input, { training: true }) as tf.Tensor3D; // [B, T', D]
      const c = this.context.apply(z, { training: true }) as tf.Tensor3D; // [B, T', U]
      const u = c.shape[2];
      const timeMajor = (v: tf.Tensor3D, f: number): tf.Tensor2D => tf.reshape(tf.transpose(v, [1, 0, 2]), [tLat, n * f]); // [T', B*F]
      const cT = tf.reshape(tf.matMul(tf.tensor2d(selC, [s, tLat]), timeMajor(c, u)), [s * n, u]); // [S*B, U], row (i, b)
      const pred = tf.reshape(this.predictor.apply(cT) as tf.Tensor2D, [s, n, k, d]); // [S, B, K, D]
      const q = tf.reshape(tf.transpose(pred, [2, 0, 1, 3]), [rows, n, d]) as tf.Tensor3D; // [K*S, B, D] = W_k c_{t_i}
      const blocks: tf.Tensor3D[] = [];
      if (useBatch) {
        const target = tf.reshape(tf.matMul(tf.tensor2d(selZ, [rows, tLat]), timeMajor(z, d)), [rows, n, d]) as tf.Tensor3D; // z_{t_i+k} of every sequence
        blocks.push(batchedScores(q, target)); // [K*S, B, B]
      }
      if (useTime) {
        const byRow = batchedScores(tf.transpose(q, [1, 0, 2]) as tf.Tensor3D, z); // [B, K*S, T']: the same sequence's latents
        blocks.push(tf.transpose(byRow, [1, 0, 2]) as tf.Tensor3D); // [K*S, B, T']
      }
      let logits = blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 2); // [K*S, B, M]
      if (mask !== undefined) logits = tf.add(logits, tf.tensor3d(mask, [rows, 1, m]));
      const y = useBatch ? tf.tensor3d(onehot, [1, n, m]) : tf.tensor3d(onehot, [rows, 1, m]);
      // accuracy per k: the true future latent scores above every negative
      const posScore = tf.sum(tf.mul(logits, y), 2); // [K*S, B]
      const negMax = tf.max(tf.add(logits, tf.mul(y, -1e9)), 2); // [K*S, B]
      correct = tf.keep(tf.mean(tf.reshape(tf.cast(tf.greater(posScore, negMax), 'float32'), [k, s * n]), 1)); // [K]
      // InfoNCE with the unnormalised bilinear scores (temperature 1): -log softmax at the positive,
      // the mean over k of the mean over the S*B queries
      return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), y))), rows * n) as tf.Scalar;
    });
    if (input !== x) input.dispose();
    const accs = correct!;
    const [accValues, { loss, gradNorm }] = await Promise.all([
      accs.data().finally(() => accs.dispose()),
      readMinimize(result, this.optimizer),
    ]);
    const metrics: StepMetrics = { loss, gradNorm };
    let sum = 0;
    accValues.forEach((a, i) => {
      metrics[`acc${i + 1}`] = a;
      sum += a;
    });
    metrics.accuracy = sum / k;
    return metrics;
  }

  embed(x: tf.Tensor): tf.Tensor2D {
    const fn = 'cpc.embed';
    if (!(x instanceof tf.Tensor) || x.rank !== 3)
      throw new ShapeError(
        fn,
        'x',
        `must be a [N, T, C] tensor of sequences, got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : describe(x)}`,
      );
    if (latentLength(this.geometry, x.shape[1]!) < 1) {
      throw new ShapeError(
        fn,
        'x',
        `must have at least ${receptiveField(this.geometry).receptiveField} time steps (the encoder's receptive field), got ${x.shape[1]}`,
      );
    }
    return tf.tidy(() => this.encoder.apply(x, { training: false }) as tf.Tensor2D);
  }

  private models(): Record<string, tf.LayersModel> {
    return { encoder: this.latentEncoder, context: this.context, predictor: this.predictor };
  }

  getState(): MethodState {
    return collectState(this.models(), this.optimizer);
  }

  setState(state: MethodState): void {
    restoreState(state, this.models(), this.optimizer);
  }

  dispose(): void {
    this.encoder.dispose(); // disposes the shared layers of g_enc and g_ar too
    this.predictor.dispose();
    this.optimizer.dispose();
  }
}

export interface CpcMethod extends Method {
  /** g_enc. */
  readonly latentEncoder: tf.LayersModel;
  /** g_ar. */
  readonly context: tf.LayersModel;
  /** The K maps W_k as one dense layer `[U] -> [K * D]`. */
  readonly predictor: tf.LayersModel;
  readonly geometry: Conv1dGeometry;
  readonly predictionSteps: number;
  /** Shortest training input (steps) for one prediction at every k. */
  readonly minLength: number;
}

/** CPC from an encoder g_enc, a context model g_ar and the options above. */
export function cpc(options: CpcOptions): CpcMethod {
  if (options === null || typeof options !== 'object') throw new ConfigError(FN, 'options', `must be an object, got ${describe(options)}`);
  const {
    encoder,
    context,
    geometry,
    predictionSteps = 12,
    negatives = 'batch',
    timeSteps = 8,
    window,
    pooling = 'mean',
    seed = 0,
  } = options;
  if (!(encoder instanceof tf.LayersModel)) throw new ConfigError(FN, 'encoder', `must be a tf.LayersModel, got ${describe(encoder)}`);
  if (!(context instanceof tf.LayersModel)) throw new ConfigError(FN, 'context', `must be a tf.LayersModel, got ${describe(context)}`);
  const zShape = encoder.outputs[0]!.shape;
  const cShape = context.inputs[0]!.shape;
  if (encoder.inputs[0]!.shape.length !== 3 || zShape.length !== 3)
    throw new ConfigError(FN, 'encoder', `must map [B, T, C] to [B, T', D], got input [${encoder.inputs[0]!.shape}] output [${zShape}]`);
  if (cShape.length !== 3 || cShape[2] !== zShape[2] || context.outputs[0]!.shape.length !== 3) {
    throw new ConfigError(
      FN,
      'context',
      `must map the latents [B, T', ${zShape[2]}] to [B, T', U], got input [${cShape}] output [${context.outputs[0]!.shape}]`,
    );
  }
  if (geometry === null || typeof geometry !== 'object')
    throw new ConfigError(FN, 'geometry', `must be { strides, kernelSizes } of the encoder, got ${describe(geometry)}`);
  receptiveField(geometry); // validates
  assertInteger(predictionSteps, FN, 'predictionSteps');
  assertOneOf(negatives, ['batch', 'time', 'both'] as const, FN, 'negatives');
  assertInteger(timeSteps, FN, 'timeSteps');
  assertOneOf(pooling, ['last', 'mean', 'max', 'pyramid'] as const, FN, 'pooling');
  if (window !== undefined) {
    assertInteger(window, FN, 'window');
    const need = inputLengthFor(geometry, predictionSteps + 1);
    if (window < need)
      throw new ConfigError(
        FN,
        'window',
        `must be at least ${need} steps (receptive field ${receptiveField(geometry).receptiveField} + K = ${predictionSteps} strides of ${receptiveField(geometry).totalStride}), got ${window}`,
      );
  }
  return new Cpc({
    encoder,
    context,
    geometry,
    predictionSteps,
    negatives,
    timeSteps,
    pooling,
    seed,
    ...(window !== undefined ? { window } : {}),
    ...(options.optimizer !== undefined ? { optimizer: options.optimizer } : {}),
  });
}
