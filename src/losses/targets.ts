/**
 * The registry of target functions: every loss that can drive training, by the name the CLI
 * spells, with the negative sources it accepts, how many views it takes, and its default
 * temperature (each default is written here once). `makeTarget` builds one.
 *
 * | loss          | negatives     | views | function                                  |
 * |---------------|---------------|-------|-------------------------------------------|
 * | ntxent        | batch         | >= 2  | ntXentLoss / multiPositiveNtXentLoss        |
 * | infonce       | batch, queue  | 2     | crossViewInfoNceLoss / infoNceLoss          |
 * | dcl           | batch         | 2     | decoupledContrastiveLoss                    |
 * | triplet       | batch         | 2     | minedTripletLoss                            |
 * | align-uniform | batch         | 2     | alignUniformLoss                            |
 * | invaspread    | batch         | 2     | invaSpreadLoss                              |
 * | nce, softmax  | bank          | -     | npidNceLoss, nonParametricSoftmaxLoss (NPID and CMC's bank proxy tasks call them: they need the bank itself) |
 */
import type * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import { assertOneOf, describe } from '../validate.js';
import { ntXentLoss } from './nt-xent.js';
import { multiPositiveNtXentLoss } from './multi-positive-nt-xent.js';
import { infoNceLoss } from './info-nce.js';
import { crossViewInfoNceLoss } from './cross-view-info-nce.js';
import { decoupledContrastiveLoss } from './decoupled-contrastive.js';
import { minedTripletLoss, type TripletMining } from './mined-triplet.js';
import { alignUniformLoss } from './align-uniform.js';
import { invaSpreadLoss } from './inva-spread.js';
import type { NegativeSource, TargetFunction, TargetInput } from './target.js';

export const LOSSES = ['ntxent', 'infonce', 'dcl', 'triplet', 'align-uniform', 'invaspread', 'nce', 'softmax'] as const;
export type LossName = (typeof LOSSES)[number];

/** Options of every target (each reads the ones it has). */
export interface TargetOptions {
  /** Softmax temperature τ (ntxent, infonce, dcl, invaspread, nce, softmax). @default the loss's own: {@link LOSS_SPECS} */
  temperature?: number;
  /** Triplet margin. @default 0.2 (FaceNet, arXiv:1503.03832) */
  margin?: number;
  /** Triplet negative mining. @default 'semi-hard' (FaceNet, arXiv:1503.03832, §3.2) */
  mining?: TripletMining;
  /** Weight λ of align-uniform's uniformity term. @default 1 (Wang & Isola 2020, arXiv:2005.10242) */
  weight?: number;
}

export interface LossSpec {
  /** Negative sources the loss accepts. */
  negatives: readonly NegativeSource[];
  /** Whether it takes more than 2 views (multi-crop). */
  multiView: boolean;
  /** Default τ, where the loss has one. */
  temperature?: number;
}

/** Each loss's pairing rules and defaults, written once. */
export const LOSS_SPECS: Readonly<Record<LossName, LossSpec>> = {
  ntxent: { negatives: ['batch'], multiView: true, temperature: 0.5 }, // SimCLR, arXiv:2002.05709, CIFAR-10 (Appendix B.9)
  infonce: { negatives: ['batch', 'queue'], multiView: false, temperature: 0.2 }, // MoCo v2, arXiv:2003.04297
  dcl: { negatives: ['batch'], multiView: false, temperature: 0.1 }, // DCL, arXiv:2110.06848, §5
  triplet: { negatives: ['batch'], multiView: false },
  'align-uniform': { negatives: ['batch'], multiView: false },
  invaspread: { negatives: ['batch'], multiView: false, temperature: 0.1 }, // InvaSpread, arXiv:1904.03436, §4.1
  nce: { negatives: ['bank'], multiView: false, temperature: 0.07 }, // NPID, arXiv:1805.01978, §4
  softmax: { negatives: ['bank'], multiView: false, temperature: 0.07 }, // NPID, arXiv:1805.01978, §4
};

/** The losses that accept `source`. */
export function lossesFor(source: NegativeSource): LossName[] {
  return LOSSES.filter((l) => LOSS_SPECS[l].negatives.includes(source));
}

function two(input: TargetInput, fn: string): [tf.Tensor2D, tf.Tensor2D] {
  if (input.views.length !== 2)
    throw new ConfigError(fn, 'views', `must be 2 views (this loss has one positive per anchor), got ${input.views.length}`);
  return [input.views[0]!, input.views[1]!];
}

/**
 * The target function `loss` with `source` negatives. Throws a ConfigError when the loss does
 * not accept that source, or for the bank losses (NPID's and CMC's proxy tasks call them directly).
 */
export function makeTarget(loss: LossName, source: NegativeSource, options: TargetOptions = {}): TargetFunction {
  const fn = 'makeTarget';
  assertOneOf(loss, LOSSES, fn, 'loss');
  const spec = LOSS_SPECS[loss];
  if (!spec.negatives.includes(source))
    throw new ConfigError(fn, 'source', `must be ${spec.negatives.join(' or ')} for loss '${loss}', got ${describe(source)}`);
  const temperature = options.temperature ?? spec.temperature;
  const name = `target ${loss}`;
  switch (loss) {
    case 'ntxent':
      return (i) =>
        i.views.length === 2 ? ntXentLoss(i.views[0]!, i.views[1]!, { temperature }) : multiPositiveNtXentLoss(i.views, { temperature });
    case 'infonce':
      return (i) => {
        const [q, k] = two(i, name);
        if (source === 'batch') return crossViewInfoNceLoss(q, k, { temperature });
        if (i.negatives === undefined) throw new ConfigError(name, 'negatives', "must be given: the queue's keys [K, D]");
        return infoNceLoss(q, k, i.negatives, { temperature });
      };
    case 'dcl':
      return (i) => decoupledContrastiveLoss(...two(i, name), { temperature });
    case 'triplet':
      return (i) => minedTripletLoss(...two(i, name), { margin: options.margin ?? 0.2, mining: options.mining ?? 'semi-hard', rng: i.rng });
    case 'align-uniform':
      return (i) => alignUniformLoss(...two(i, name), { weight: options.weight ?? 1 });
    case 'invaspread':
      return (i) => invaSpreadLoss(...two(i, name), { temperature });
    default:
      throw new ConfigError(
        fn,
        'loss',
        `'${loss}' needs the memory bank itself: use the npid method (or cmc's bank objective), not a target function`,
      );
  }
}

/** The default τ of a loss (undefined for the losses without one). */
export function defaultTemperature(loss: LossName): number | undefined {
  return LOSS_SPECS[loss].temperature;
}

export type { TargetFunction };
