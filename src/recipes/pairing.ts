/**
 * Which target functions (losses) and negative sources each proxy task (method) pairs with, the
 * defaults, and the one check the CLI runs on `--method`, `--loss`, `--negatives` and `--crops`.
 *
 * | method     | proxy task                      | negatives | losses                                              |
 * |------------|---------------------------------|-----------|-----------------------------------------------------|
 * | simclr     | two augmented views (multi-crop)| batch     | ntxent (default), infonce, dcl, triplet, align-uniform, invaspread |
 * | invaspread | two augmented views             | batch     | invaspread (default), the same as simclr             |
 * | moco       | query view / momentum-key view  | queue     | infonce                                             |
 * | npid       | one view vs its bank row        | bank      | nce (default), softmax, infonce                      |
 * | cmc        | colour-channel views            | batch     | infonce (default), ntxent, dcl, triplet, align-uniform, invaspread |
 * | cmc        |                                 | bank      | nce                                                 |
 * | cpc        | future latents of a sequence    | batch     | infonce (its --cpc-negatives: batch, time, both)     |
 */
import { ConfigError } from '../errors.js';
import { LOSSES, LOSS_SPECS, type LossName } from '../losses/targets.js';
import { NEGATIVE_SOURCES, type NegativeSource } from '../losses/target.js';

const INSTANCE_BATCH: readonly LossName[] = ['ntxent', 'infonce', 'dcl', 'triplet', 'align-uniform', 'invaspread'];

export interface ProxyPairing {
  /** Losses by negative source; the first source and the first loss of it are the defaults. */
  sources: Partial<Record<NegativeSource, readonly LossName[]>>;
  /** The default loss (first of its source's list unless said). */
  defaultLoss: LossName;
  /** Whether multi-crop (`--crops`) applies (image views with a multi-view loss). */
  multiCrop: boolean;
}

/** The pairing table (see the file comment), by method name. */
export const PAIRINGS: Readonly<Record<string, ProxyPairing>> = {
  simclr: { sources: { batch: INSTANCE_BATCH }, defaultLoss: 'ntxent', multiCrop: true },
  invaspread: { sources: { batch: INSTANCE_BATCH }, defaultLoss: 'invaspread', multiCrop: false },
  moco: { sources: { queue: ['infonce'] }, defaultLoss: 'infonce', multiCrop: false },
  npid: { sources: { bank: ['nce', 'softmax', 'infonce'] }, defaultLoss: 'nce', multiCrop: false },
  cmc: { sources: { batch: INSTANCE_BATCH, bank: ['nce'] }, defaultLoss: 'infonce', multiCrop: false },
  cpc: { sources: { batch: ['infonce'] }, defaultLoss: 'infonce', multiCrop: false },
};

/** Every valid (method, loss, negatives) triple, the default of each method first. */
export function validCombinations(): { method: string; loss: LossName; negatives: NegativeSource }[] {
  return Object.entries(PAIRINGS).flatMap(([method, p]) =>
    (Object.entries(p.sources) as [NegativeSource, readonly LossName[]][]).flatMap(([negatives, losses]) =>
      losses.map((loss) => ({ method, loss, negatives })),
    ),
  );
}

function listing(method: string): string {
  const p = PAIRINGS[method]!;
  return (Object.entries(p.sources) as [NegativeSource, readonly LossName[]][])
    .map(([s, ls]) => `--negatives ${s} with --loss ${ls.join('|')}`)
    .join('; ');
}

export interface ResolvedPairing {
  loss: LossName;
  negatives: NegativeSource;
  /** Local crops (0: two views). */
  crops: number;
}

/**
 * The loss, negative source and crops of a run from the flags (any may be absent), or a
 * ConfigError whose one line names both flags and lists what is valid for the method.
 */
export function resolvePairing(
  method: string,
  want: { loss?: string; negatives?: string; crops?: number; kind?: string; queueFlag?: string },
): ResolvedPairing {
  const p = PAIRINGS[method];
  if (p === undefined) throw new ConfigError('pretrain', '--method', `must be one of ${Object.keys(PAIRINGS).join(', ')}, got '${method}'`);
  if (want.loss !== undefined && !(LOSSES as readonly string[]).includes(want.loss))
    throw new ConfigError('pretrain', '--loss', `must be one of ${LOSSES.join(', ')}, got '${want.loss}'`);
  if (want.negatives !== undefined && !(NEGATIVE_SOURCES as readonly string[]).includes(want.negatives))
    throw new ConfigError(
      'pretrain',
      '--negatives',
      `must be one of ${NEGATIVE_SOURCES.join(', ')} (or a number of noise rows for npid/cmc nce), got '${want.negatives}'`,
    );
  const sources = Object.keys(p.sources) as NegativeSource[];
  let negatives = want.negatives as NegativeSource | undefined;
  const loss =
    (want.loss as LossName | undefined) ??
    (negatives !== undefined && !(p.sources[negatives] ?? []).includes(p.defaultLoss) ? p.sources[negatives]?.[0] : p.defaultLoss) ??
    p.defaultLoss;
  negatives ??= sources.find((s) => p.sources[s]!.includes(loss)) ?? sources[0]!;
  if (!(p.sources[negatives] ?? []).includes(loss)) {
    const flags =
      want.loss !== undefined && want.negatives !== undefined
        ? `--loss ${loss} with --negatives ${negatives}`
        : want.loss !== undefined
          ? `--loss ${loss}`
          : `--negatives ${negatives}`;
    throw new ConfigError('pretrain', '--method', `${method} does not pair with ${flags}; valid for ${method}: ${listing(method)}`);
  }
  if (want.queueFlag !== undefined && method !== 'moco')
    throw new ConfigError('pretrain', want.queueFlag, `sets MoCo's queue and key encoder: it needs --method moco, got --method ${method}`);
  const crops = want.crops ?? 0;
  if (crops > 0) {
    if (!p.multiCrop || !LOSS_SPECS[loss].multiView)
      throw new ConfigError(
        'pretrain',
        '--crops',
        `needs --method simclr with --loss ntxent (multi-positive NT-Xent), got --method ${method} with --loss ${loss}`,
      );
    if (want.kind !== undefined && want.kind !== 'image')
      throw new ConfigError('pretrain', '--crops', `needs image data (crops of images), got ${want.kind} data`);
  }
  return { loss, negatives, crops };
}
