/**
 * `contrastive pretrain --method simclr --data <spec> --out runs/<name> [...]`: self-supervised
 * pre-training into a run folder (config.json, metrics.jsonl, checkpoint.bin, encoder/).
 * Ctrl-C writes a checkpoint and stops; `--resume` continues from it. Parsing only: the run is
 * `runPretrain` (src/node/run/pretrain-run.ts).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { OPTIMIZER_NAMES } from '../optim/optimizers.js';
import { ConfigError } from '../errors.js';
import { ARCHS, METHODS, HEADS, isArchFile } from '../recipes/recipe.js';
import { NPID_BANK_INITS } from '../methods/npid.js';
import { LOSSES } from '../losses/targets.js';
import { NEGATIVE_SOURCES } from '../losses/target.js';
import { TRIPLET_MININGS } from '../losses/mined-triplet.js';
import { runPretrain, type PretrainOptions } from '../node/run/pretrain-run.js';
import { int, oneOf, positive } from './parse.js';
import { progress } from './progress.js';
import { withConfigFile } from './config-options.js';
import { LABEL_MODES } from '../node/data/list-images.js';
import { RESIZE_MODES } from '../node/data/decode-pool.js';

export { runPretrain, measureStepSeconds, defaultLr } from '../node/run/pretrain-run.js';
export { sizeStepsToBudget } from '../node/run/step-budget.js';
export type { PretrainOptions, PretrainResult } from '../node/run/pretrain-run.js';

/** `--arch`: a built-in arch or the path of a tfjs LayersModel model.json. */
function archArg(value: string): string {
  if (isArchFile(value)) return value;
  try {
    return oneOf(ARCHS)(value);
  } catch {
    throw new InvalidArgumentError(`must be one of ${ARCHS.join(', ')} or the path of a tfjs LayersModel model.json`);
  }
}

/** `--negatives`: a source name or a count of noise rows. */
function negativesArg(value: string): string | number {
  if (/^\d+$/.test(value)) return int()(value);
  return oneOf(NEGATIVE_SOURCES)(value);
}

export function register(program: Command): void {
  program
    .command('pretrain')
    .description('self-supervised pre-training of an encoder into a run folder')
    .addOption(new Option('--method <name>', 'method').choices([...METHODS]).default('simclr'))
    .option('--data <spec>', "data (required unless --resume): a name (fashion-mnist, digits, cifar10-subset, ...) or '<format>:<path>'")
    .requiredOption('--out <dir>', 'run folder, e.g. runs/<name>')
    .addOption(new Option('--split <split>', 'split to train on').choices(['train', 'test']).default('train'))
    .option('--limit <n>', 'use the first N samples (stratified when labelled)', int())
    .addOption(
      new Option(
        '--arch <arch|model.json>',
        'encoder: small-cnn, resnet18, mlp, or a tfjs LayersModel model.json (its output [N, D] is the representation; default: small-cnn for images, mlp for vectors)',
      ).argParser(archArg),
    )
    .option('--epochs <n>', 'passes over the data (default 10)', int())
    .option('--steps <n>', 'total steps (overrides --epochs)', int())
    .option(
      '--minutes <m>',
      'train for about M minutes on this machine: the steps are sized from a measured step (conflicts with --steps and --epochs)',
      positive(),
    )
    .option('--batch-size <n>', 'samples per step (SimCLR: 256)', int(2), 256)
    .option('--temperature <t>', 'temperature τ (default: simclr 0.5, npid 0.07, invaspread 0.1, cmc 0.07)', positive())
    .addOption(
      new Option(
        '--objective <name>',
        'npid: nce (K noise rows, default), softmax (the whole bank) or infonce; cmc: softmax (in-batch, default) or nce (one memory bank per view). Same as --loss',
      ).choices(['nce', 'softmax', 'infonce']),
    )
    .addOption(
      new Option('--loss <name>', "target function (default: the method's own); valid pairings in src/recipes/pairing.ts").choices([
        ...LOSSES,
      ]),
    )
    .option('--queue-size <k>', 'moco: keys in the queue (default 4096)', int())
    .option('--momentum <m>', 'moco: EMA momentum of the key encoder (default 0.99)', positive())
    .option('--crops <n>', 'simclr (ntxent, images): small crops added to the two global views (multi-crop; default 0)', int(0))
    .option('--margin <m>', 'triplet: margin of the squared distances (default 0.2)', positive(true))
    .addOption(new Option('--mining <rule>', 'triplet: negative mining in the batch (default semi-hard)').choices([...TRIPLET_MININGS]))
    .option('--uniformity-weight <w>', 'align-uniform: weight of the uniformity term (default 1)', positive(true))
    .option('--views <list>', 'cmc: comma-separated views: lab (= lab-l,lab-ab), lab-l, lab-ab, gradient, half-luminance (default lab)')
    .addOption(
      new Option('--graph <name>', 'cmc: core (view 1 with each other view, default) or full (every pair)').choices(['core', 'full']),
    )
    .option(
      '--negatives <source|k>',
      'where negatives come from: batch, queue (moco) or bank (npid, cmc nce); a number: npid/cmc nce noise rows per step (default 4096)',
      negativesArg,
    )
    .addOption(
      new Option(
        '--bank-init <mode>',
        "npid: the memory bank starts as the initial network's features (features, default) or random rows (random, the reference code)",
      ).choices([...NPID_BANK_INITS]),
    )
    .option('--lr <x>', 'peak learning rate (default: adam 1e-3, lars 0.3 x batch/256, sgd 0.05 x batch/256)', positive())
    .addOption(new Option('--optimizer <name>', 'optimizer').argParser(oneOf(OPTIMIZER_NAMES)).default('adam'))
    .option('--weight-decay <x>', 'weight decay, not on biases and norms (SimCLR: 1e-6)', positive(true), 1e-6)
    .option('--warmup <steps>', 'linear warm-up steps (default 10% of the run)', int(0))
    .option('--clip-norm <x>', 'clip gradients to this global norm (0: off)', positive(true), 0)
    .option('--seed <s>', 'seed of data order, augmentation and initial weights', int(0), 0)
    .option('--width <n>', 'resnet18 base width (64 is the standard ResNet-18)', int(), 64)
    .option('--image-size <n>', 'image folders: resize to N x N', int())
    .addOption(
      new Option('--labels <mode>', 'image folders: class subfolders as labels (default: only when they hold every image)').choices([
        ...LABEL_MODES,
      ]),
    )
    .addOption(
      new Option('--resize <mode>', 'image folders: crop (shorter side, centre crop; default), pad or fill (stretch)').choices([
        ...RESIZE_MODES,
      ]),
    )
    .option('--monitor <n>', 'labelled samples held out for the per-epoch kNN monitor (default min(1000, 10%); 0: off)', int(0))
    .addOption(
      new Option('--augmentation <name>', 'augmentation preset (default: chosen from the data)').choices([
        'small-grey',
        'small-grey-jitter',
        'simclr-cifar',
        'simclr-imagenet',
        'vector-corruption',
      ]),
    )
    .addOption(
      new Option(
        '--on-nonfinite <mode>',
        'a non-finite loss or gradient: stop (keep the last good checkpoint) or skip the step and halve the learning rate',
      ).choices(['stop', 'skip']),
    )
    .option('--checkpoint-every <steps>', 'also checkpoint every N steps inside an epoch (default: epoch ends and Ctrl-C only)', int())
    .addOption(
      new Option(
        '--head <kind>',
        "projection head: mlp (2 layers, SimCLR's; default) or linear (one Dense to 128-d, the NPID and InvaSpread papers' fc)",
      ).choices([...HEADS]),
    )
    .option('--no-head-bn', "no BatchNorm in an mlp head's hidden layer (simclr, invaspread, cmc; npid keeps it)")
    .option('--no-encoder-bn', 'small-cnn: no BatchNorm after its convolutions')
    .option(
      '--no-feature-bn',
      'small-cnn, resnet18 (simclr, npid, invaspread): representation h without the BatchNorm (no scale or shift) that centres it',
    )
    .option(
      '--no-whiten',
      'small-cnn, resnet18 (simclr, moco, npid, invaspread): save the encoder without the whitening of h fitted on the training data',
    )
    .option('--no-flip', 'grey images: no horizontal flips (digits, letters)')
    .option('--length <n>', 'sequences: crop/pad every sample to N steps (default: the median length)', int(2))
    .option('--window <n>', 'cpc: training window in steps (default: min(length, 4096) for audio, else length)', int(2))
    .option('--prediction-steps <k>', 'cpc: future offsets K predicted (default 12 for audio, fewer for short series)', int())
    .addOption(
      new Option(
        '--cpc-negatives <source>',
        'cpc: negatives from other sequences (batch), other steps of the same sequence (time), or both',
      ).choices(['batch', 'time', 'both']),
    )
    .addOption(
      new Option(
        '--pooling <mode>',
        'cpc: representation = context at the last step, mean or maximum over time, or pyramid (means of the whole, halves and quarters)',
      ).choices(['last', 'mean', 'max', 'pyramid']),
    )
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--no-report', 'do not write report.html at the end')
    .option(
      '--config <file>',
      "start from the options of a config file (a run's config.json, or an object of options); flags given here override it",
    )
    .option('--json', 'when the run ends, print one JSON summary on stdout (progress stays on stderr)', false)
    .action(async (parsed: PretrainOptions & { config?: string; json?: boolean }, command: Command) => {
      const opts = parsed.config === undefined ? parsed : await withConfigFile(command, parsed, parsed.config);
      const ac = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts += 1;
        if (interrupts > 1) process.exit(130);
        process.stderr.write('\ninterrupted: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)\n');
        ac.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        if (!opts.resume && opts.data === undefined)
          throw new ConfigError('pretrain', '--data', 'is required (a dataset name or <format>:<path>)');
        if (opts.resume && !existsSync(opts.out))
          throw new ConfigError('pretrain', '--out', `${opts.out} does not exist: nothing to resume`);
        const { result, backend, trainSize } = await runPretrain(opts, ac.signal, progress());
        if (opts.json === true) {
          const last = result.epochRecords.at(-1);
          process.stdout.write(
            JSON.stringify({
              status: result.status,
              out: opts.out,
              method: opts.method,
              steps: result.steps,
              epochs: result.epochs,
              seconds: result.seconds,
              lastLoss: result.lastLoss,
              trainSize,
              backend: { name: backend.name, threads: backend.threads },
              ...(last !== undefined ? { lastEpoch: last } : {}),
            }) + '\n',
          );
        }
        if (result.status === 'interrupted') {
          process.stderr.write(
            `stopped at step ${result.steps}; checkpoint saved. Continue with: contrastive pretrain --out ${opts.out} --resume\n`,
          );
          process.exitCode = 130;
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
